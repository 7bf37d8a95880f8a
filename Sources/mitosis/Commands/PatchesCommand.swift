import ArgumentParser
import Foundation
import MitosisImage
import MitosisData
import MitosisPipeline

/// `mitosis patches`: step 1.
struct PatchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patches",
        abstract: "Step 1: cut positive and negative patches at 20x into the patch store.",
        discussion: """
            Positives: every pixel of the downscaled _pc mask, at each positive angle. Negatives: \
            round(ratio x positives) pixels of the downscaled _cmask outside the dilated ground truth, at \
            0/90/180/270. Missing _pc/_cmask masks are made from the CSV and the blue ratio. Re-running resumes.
            """)

    @Argument(help: "Dataset folder (PP_II.tif images with PP_II.csv centres).")
    var dataset: String

    @Argument(help: "Output patch folder.")
    var output: String

    @Option(help: "Patch side at the working resolution.")
    var patchSize = 32

    @Option(help: "Downscale from the images to the working resolution (0.5: 40x -> 20x).")
    var scale = 0.5

    @Option(help: "Positive angles in degrees, comma-separated (default every 45).")
    var positiveAngles = "0,45,90,135,180,225,270,315"

    @Flag(help: "Use the author's literal positive angles 0 45 90 135 180 215 270.")
    var tutorialAngles = false

    @Option(help: "Negative angles in degrees, comma-separated.")
    var negativeAngles = "0,90,180,270"

    @Option(help: "Negative pixels per positive pixel.")
    var negativeRatio = 2.5

    @Option(help: "Rotation interpolation: nearest (MATLAB imrotate's default) or bilinear.")
    var interpolation: PatchOptions.Interpolation = .nearest

    @Option(help: "Patients to leave out, comma-separated.")
    var exclude = ""

    @Flag(help: "Keep patients without mitoses (by default they are left out, as the author drops patient 10).")
    var keepPatientsWithoutMitoses = false

    @Option(help: "Column order of the centre CSVs: xy or yx.")
    var csvOrder: CSVOrder = .xy

    @Option(help: "Also write every patch as a PNG named like the tutorial's into this folder.")
    var png: String?

    @Flag(help: "Macenko stain normalisation of each image before cutting (maps must then use it too).")
    var stainNormalize = false

    @Option(help: "Seed of the negative sampling.")
    var seed: UInt64 = 1

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var options = PatchOptions()
        options.patchSize = patchSize
        options.scale = scale
        options.positiveAngles = tutorialAngles ? PatchOptions.tutorialPositiveAngles : try angles(positiveAngles, "--positive-angles")
        options.negativeAngles = try angles(negativeAngles, "--negative-angles")
        options.negativeRatio = negativeRatio
        options.interpolation = interpolation
        options.seed = seed
        if stainNormalize { options.stainNormalization = StainNormalizer() }
        var step = PatchStep(options: options)
        step.logger = global.logger("patches")
        step.csvOrder = csvOrder
        step.excludePatients = Set(exclude.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        step.excludeWithoutMitoses = !keepPatientsWithoutMitoses
        step.pngFolder = png
        let data = try Dataset.discover(at: dataset)
        let bar = LazyProgressBar("patches")
        let start = Date()
        let index = try step.run(data, into: output, progress: bar.update)
        bar.finish()
        let pos = index.entries.reduce(0) { $0 + $1.positives } * options.positiveAngles.count
        let neg = index.entries.reduce(0) { $0 + $1.negatives } * options.negativeAngles.count
        let seconds = Date().timeIntervalSince(start)
        print("\(index.entries.count) images -> \(pos) positive and \(neg) negative patches in \(output) "
              + String(format: "(%.1f s, %.0f patches/s)", seconds, Double(pos + neg) / max(seconds, 1e-9)))
    }

    func angles(_ text: String, _ flag: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !values.isEmpty, values.count == parts.count else {
            throw ValidationError("\(flag): expected comma-separated whole degrees, got '\(text)'")
        }
        return values
    }
}

extension PatchOptions.Interpolation: ExpressibleByArgument {}
