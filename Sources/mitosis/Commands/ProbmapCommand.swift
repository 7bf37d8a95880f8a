import ArgumentParser
import Foundation
import MitosisImage
import MitosisPipeline
import MitosisSupport

/// `mitosis probmap`: step 5 probability maps (`<name>_prob.png`, `<name>_class.png`, `<name>_logodds.tif`)
/// for any images.
struct ProbmapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probmap",
        abstract: "Write P(mitosis) maps (<name>_prob.png, <name>_class.png) for images, as the tutorial's step 5.",
        discussion: """
            Images are resized to the working resolution (--scale, else the images' pixel size over --working-pixel-size: 0.5 for 0.25 um/px) and every pixel gets the \
            P(mitosis) of the 32x32 patch around it (offset 16; borders by symmetric mirroring). _prob.png: R = \
            255 P(not mitosis), G = 255 P(mitosis), B = 0; _class.png: 255 where P(mitosis) > 0.5, else 0. \
            With the mask (default), only pixels of the dilated blue-ratio mask are evaluated (<name>_cmask.png \
            beside the image if present, else computed); others get P = 0. The default dense mode runs the \
            dilated ("a trous") rewrite of the net, which is not bit-exact at patch borders; --exact classifies \
            every patch (~100x slower). See docs/PROBMAPS.md. <name>_logodds.tif keeps P(mitosis) as 32-bit floats \
            (the 8-bit PNG saturates above P = 0.998); `mitosis detect` reads it when present (--no-float skips it). \
            Images whose outputs exist are skipped.
            """)

    @OptionGroup var model: ClassifierOptions

    @Flag(help: "Classify every patch separately instead of the dense rewrite.")
    var exact = false

    @Option(help: "Resize factor to the working resolution (default: --pixel-size / --working-pixel-size, 0.5 at 0.25 um/px).")
    var scale: Double?

    @OptionGroup var resolution: PixelSizeOptions

    @Flag(inversion: .prefixedNo, help: "Evaluate only inside the dilated blue-ratio mask.")
    var mask = true

    @Flag(inversion: .prefixedNo, help: "Also write <name>_logodds.tif, P(mitosis) as 32-bit floats.")
    var float = true

    @Option(help: "Largest dense tile side in pixels (memory grows with its square).")
    var tile = 512

    @Option(help: "Dense mode: evaluate the net every N pixels in each direction (1, 2, 4 or 8 for the tutorial's net) and interpolate the log-odds in between; ~N^2 times less work after the first pooling.")
    var stride = 1

    @Option(help: "Dense head folding: none, ip (ip2 into ip1) or pool (pool3 too).")
    var head: String = HeadFolding.innerProducts.rawValue

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Flag(help: "Macenko stain normalisation of each image first (for models trained with `--stain-normalize`).")
    var stainNormalize = false

    @Flag(help: "Recompute images whose outputs exist.")
    var force = false

    @Argument(help: "Images or folders of images.")
    var inputs: [String]

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let log = global.logger("probmap")
        guard let folding = HeadFolding(rawValue: head) else { throw ValidationError("--head must be none, ip or pool") }
        let options = ProbabilityMapOptions(mode: exact ? .exact : .dense, mirrorAverage: model.mirrorAverage,
                                            maxTile: tile, headFolding: folding, stride: stride)
        let images = try ProbabilityMapJob.images(in: inputs)
        let scale = try resolution.scale(explicit: self.scale, images: images.map(\.path), log: log)
        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: output), scale: scale, useMask: mask)
        job.writeFloat = float
        if stainNormalize { job.stainNormalization = StainNormalizer() }
        let bar = LazyProgressBar("probmap")
        let result = try job.mapAll(images, force: force, mapper: { try ProbabilityMapper(models: model.models(), options: options) },
                                    progress: bar.update,
                                    onMapped: { url, seconds in log.info("\(url.lastPathComponent): \(String(format: "%.2f", seconds)) s") })
        bar.finish()
        if result.skipped > 0 { log.info("\(result.skipped) of \(images.count) images already done; skipped") }
        for f in result.failures { log.error("\(f.path): \(f.error)") }
        let failed = result.failures.count
        if failed > 0 {
            log.error("\(PipelineError.partialFailure(failed: failed, total: failed + result.computed))")
            throw ExitCode.failure
        }
    }
}
