import ArgumentParser
import Foundation
import MitosisPipeline
import MitosisSupport

/// `mitosis apply --model BUNDLE IMAGES... -o OUT`: a trained detector on any images.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Detect and grade mitoses in images with a model bundle (OUT/model of `mitosis run`, or `mitosis model import-caffe`).",
        discussion: """
            The bundle's models are averaged (P(mitosis) per pixel) at the bundle's working resolution; images are \
            resized to it from their pixel size (--pixel-size, else their TIFF resolution tags, else 0.25 um with a \
            warning). Writes per image <name>.csv (x,y,logodds in the image's own pixels), <name>.geojson (QuPath) \
            and <name>_overlay.png, the maps in OUT/maps, and grades.csv / grades.json (mitoses per 10 HPF and the \
            score 1-3 per image and per patient: the part of the name before the first '_'). An image that fails \
            is reported at the end and the others go on; re-running skips images already mapped.
            """)

    @Option(help: "Model bundle folder (with manifest.json).")
    var model: String

    @Argument(help: "Images or folders of images.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Option(help: "Pixel size of the images in um (default: from their TIFF resolution tags, else 0.25 with a warning).")
    var pixelSize: Double?

    @Option(help: "Detection threshold in log-odds of the smoothed P(mitosis) instead of the bundle's (write a negative one as --threshold=-1.5).")
    var threshold: Float?

    @Flag(help: "Skip the overlay PNGs.")
    var noOverlays = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let log = global.logger("apply")
        var job = try ModelApplication(bundleFolder: model, output: output)
        job.logger = log
        job.imagePixelSize = pixelSize
        job.threshold = threshold
        job.writeOverlays = !noOverlays
        let images = try ProbabilityMapJob.images(in: inputs).map(\.path)
        let bar = LazyProgressBar("apply")
        let result = try job.run(images, progress: bar.update)
        bar.finish()
        print(result.grades.text())
        print("\(result.detections.count) of \(images.count) images: \(result.detections.values.reduce(0, +)) detections (\(result.mapped) mapped, \(result.skipped) already mapped); written to \(output)")
        if !result.failures.isEmpty {
            for f in result.failures { log.error("\(f.path): \(f.error)") }
            log.error("\(PipelineError.partialFailure(failed: result.failures.count, total: images.count))")
            throw ExitCode.failure
        }
    }
}

/// `mitosis model`: make and inspect model bundles.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Model bundles: import released Caffe models, show a bundle's manifest.",
        subcommands: [ImportCaffe.self, Show.self])

    struct ImportCaffe: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-caffe",
            abstract: "Make a model bundle from a deploy prototxt and one or more .caffemodel + mean .binaryproto pairs (e.g. the tutorial author's five).")

        /// --net (shared by the models), --weights / --mean pairs, --mirror-average (recorded in the bundle).
        @OptionGroup var model: ClassifierOptions

        @Option(name: .shortAndLong, help: "Bundle folder to write.")
        var output: String

        @Option(help: "Detection threshold in log-odds of the smoothed P(mitosis) (default 0: P > 0.5, the tutorial's class maps).")
        var threshold: Float?

        @Option(help: "Working resolution the models were trained at, in um per pixel (the tutorial's 20x: 0.5).")
        var workingPixelSize = 0.5

        @Option(help: "Map stride (1, 2, 4 or 8; default: run's).")
        var mapStride: Int?

        @Flag(help: "The models were trained on Macenko-normalised images.")
        var stainNormalize = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            var maps = ModelBundle.Maps(stride: mapStride ?? RunOptions().maps.stride, mirrorAverage: model.mirrorAverage)
            if stainNormalize { maps.stainNormalization = "macenko" }
            let command = (["mitosis", "model", "import-caffe"] + CommandLine.arguments.dropFirst(3)).joined(separator: " ")
            let bundle = try ModelBundle.importCaffe(net: model.net, weights: model.weights, means: model.mean, into: output, threshold: threshold,
                                                     workingPixelSize: workingPixelSize, maps: maps, command: command)
            print("\(output): \(bundle.models.count) model(s), threshold \(bundle.threshold.value) (\(bundle.threshold.unit)), working \(bundle.workingPixelSize) um/px")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Check a bundle and print its manifest.")
        @Argument(help: "Model bundle folder.")
        var bundle: String
        func run() throws {
            _ = try ModelBundle.read(folder: bundle)
            print(String(decoding: FileManager.default.contents(atPath: bundle + "/" + ModelBundle.manifestName) ?? Data(), as: UTF8.self))
        }
    }
}
