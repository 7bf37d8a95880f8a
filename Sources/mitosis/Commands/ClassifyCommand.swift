import ArgumentParser
import Foundation
import MitosisImage
import MitosisPipeline
import MitosisSupport

/// The deploy net, weights and mean images of one or several models (averaged), shared by classify and probmap.
struct ClassifierOptions: ParsableArguments {
    @Option(help: "Deploy prototxt (e.g. deploy_train32.prototxt).")
    var net: String

    @Option(help: "A .caffemodel; repeat (with --mean) to average several models.")
    var weights: [String]

    @Option(help: "The mean .binaryproto of each --weights, in the same order.")
    var mean: [String]

    @Flag(help: "Average each patch with its horizontal mirror (as Caffe's Classifier oversampling did).")
    var mirrorAverage = false

    func validate() throws {
        guard !weights.isEmpty, weights.count == mean.count else {
            throw ValidationError("give one --mean per --weights (got \(weights.count) weights, \(mean.count) means)")
        }
    }

    func models() throws -> [ClassifierModel] {
        try zip(weights, mean).map {
            try ClassifierModel.load(net: URL(fileURLWithPath: net), weights: URL(fileURLWithPath: $0), mean: URL(fileURLWithPath: $1))
        }
    }
}

/// `mitosis classify`: P(mitosis) of patch images.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify patch images: prints `file P(not mitosis) P(mitosis)` per line.",
        discussion: """
            Patches are RGB (gray is replicated, alpha dropped) of the net's input size (32x32, as `mitosis \
            patches` saves them). Larger images are centre-cropped to that size (the crop starts at \
            ((W-32)/2, (H-32)/2), rounded down); smaller ones are rejected. Several --weights/--mean pairs \
            average the models' probabilities. A file that cannot be read is reported on stderr and the others \
            continue; the exit status is non-zero if any failed.
            """)

    @OptionGroup var model: ClassifierOptions

    @Argument(help: "Patch images (PNG, TIFF or JPEG).")
    var files: [String]

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let log = global.logger("classify")
        let classifier = try PatchClassifier(models: model.models(), batch: 1024, mirrorAverage: model.mirrorAverage)
        let s = classifier.patchSize
        var patches: [UInt8] = [], names: [String] = [], failed = 0
        for file in files {
            do {
                patches += try Self.patch(file, size: s)
                names.append(file)
            } catch {
                failed += 1
                log.error("\(error)")
            }
        }
        let p = classifier.probabilities(rgb: patches, count: names.count)
        for (name, value) in zip(names, p) {
            print(String(format: "%@ %.6f %.6f", (name as NSString).lastPathComponent, 1 - value, value))
        }
        if failed > 0 {
            log.error("\(failed) of \(files.count) files failed")
            throw ExitCode.failure
        }
    }

    /// The centre `size` x `size` RGB crop of an image file.
    static func patch(_ path: String, size: Int) throws -> [UInt8] {
        let image = try ImageIO.read(path).convertedToChannels(3)
        guard image.width >= size, image.height >= size else {
            throw PipelineError.badFile(path: path, reason: "\(image.width)x\(image.height) is smaller than the net's \(size)x\(size) input")
        }
        let left = (image.width - size) / 2, top = (image.height - size) / 2
        var out: [UInt8] = []
        out.reserveCapacity(size * size * 3)
        for y in top..<(top + size) {
            let start = (y * image.width + left) * 3
            out += image.pixels[start..<(start + size * 3)]
        }
        return out
    }
}
