import ArgumentParser
import Foundation
import MitosisImage
import MitosisPipeline

/// `mitosis bench`: timing and agreement measurements behind docs/PROBMAPS.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measurements (release builds; figures in docs/).",
        subcommands: [ProbmapBench.self, SlidePrepareBench.self])
}

/// `mitosis bench slide-prepare`: the tile preparation of `mitosis slide` alone, with both cores free.
struct SlidePrepareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slide-prepare",
        abstract: "Time reading, resizing and masking every tissue tile of a slide, one after the other, mapping none.",
        discussion: "In `mitosis slide` the same work runs on a third thread while the map keeps both cores busy, so its seconds there are those of a contended thread; here they are its own. Compare them with the `mapSeconds` of a `mitosis slide` run of the same slide.")

    @Option(help: "Model bundle (its working resolution and mask settings decide the tiles).") var model: String
    @Option(help: "Folder for the slide's records (tissue mask, calibration); nothing else is written.") var output = "/tmp/mitosis-bench-slide-prepare"
    @Option(help: "Level-0 pixel size in um when the slide records none.") var pixelSize: Double?
    @Option(help: "Owned tile side in working pixels, as `mitosis slide --tile`.") var tile = 1024
    @Argument(help: "The slide.") var slide: String

    func run() throws {
        var job = try SlideAnalysis(bundleFolder: model, output: output)
        job.pixelSize = pixelSize
        job.tile = tile
        job.prepareOnly = true
        let result = try job.analyse([slide], indices: [0])
        if let failure = result.failures.first { throw failure.error }
        let s = result.summaries[0]
        print(String(format: "%@: %d tissue tiles prepared in %.2f s (read %.2f, resize %.2f, mask %.2f, normalise %.2f)",
                     s.name, s.tissueTiles, s.prepareSeconds, s.readSeconds ?? 0, s.resizeSeconds ?? 0, s.maskSeconds ?? 0,
                     s.normalizeSeconds ?? 0))
    }
}

/// `mitosis bench probmap`: dense vs exact probability maps of one image, per model.
struct ProbmapBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probmap",
        abstract: "Time dense and exact maps and compare them over the masked pixels, for each model separately.")

    @Option(help: "Deploy prototxt.") var net: String
    @Option(help: "Caffemodels (each measured separately).") var weights: [String]
    @Option(help: "Mean .binaryproto of each --weights.") var mean: [String]
    @Option(help: "RGB image.") var image: String
    @Option(help: "Resize factor to the working resolution.") var scale = 0.5
    @Option(help: "Timed runs per figure (the best is reported).") var repeats = 3
    @Option(help: "Exact mode: time this many rows (unmasked) and extrapolate; 0 = skip.") var exactRows = 8
    @Flag(help: "Compute the full exact map over the mask and compare it with the dense one.") var compare = false
    @Flag(help: "Also time every head folding and tile size.") var variants = false
    @Option(help: "Dense tile side.") var tile = 512

    func run() throws {
        let job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: "/tmp"), scale: scale, useMask: true)
        let (img, mask) = try job.inputs(URL(fileURLWithPath: image))
        let masked = mask!.count
        print(String(format: "image %@ scale %g -> %dx%d, mask %.1f%% (%d px)", (image as NSString).lastPathComponent, scale,
                     img.width, img.height, 100 * Double(masked) / Double(img.width * img.height), masked))
        for (k, (w, m)) in zip(weights, mean).enumerated() {
            let model = try ClassifierModel.load(net: URL(fileURLWithPath: net), weights: URL(fileURLWithPath: w), mean: URL(fileURLWithPath: m))
            print("model \(k + 1): \((w as NSString).lastPathComponent)")
            try measure(model, img, mask!)
        }
    }

    /// Best wall time of `repeats` calls, and the mapper's statistics.
    func time(_ mapper: ProbabilityMapper, _ img: Image, _ mask: Mask?) throws -> (seconds: Double, map: FloatPlane) {
        var best = Double.infinity, map = FloatPlane(width: 1, height: 1)
        for _ in 0..<repeats {
            let start = Date()
            map = try mapper.map(image: img, mask: mask)
            best = min(best, Date().timeIntervalSince(start))
        }
        return (best, map)
    }

    func measure(_ model: ClassifierModel, _ img: Image, _ mask: Mask) throws {
        let folds: [HeadFolding] = variants ? HeadFolding.allCases : [.innerProducts]
        let tiles = variants ? [256, 512, 1024] : [tile]
        var denseMasked: FloatPlane?
        for folding in folds {
            for t in tiles {
                let dense = try ProbabilityMapper(models: [model], options: .init(mode: .dense, maxTile: t, headFolding: folding))
                _ = try dense.map(image: img, mask: nil)  // builds the chains
                let full = try time(dense, img, nil)
                let gflops = dense.statistics.flops / full.seconds / 1e9
                let part = try time(dense, img, mask)
                if folding == .innerProducts && t == tile { denseMasked = part.map }
                if folding == folds[0] && t == tiles[0] { print("  dense oneDNN implementations: \(dense.denseImplementations)") }
                print(String(format: "  dense head=%@ tile=%d: %.3f s whole image (%.1f GFLOP, %.1f GFLOP/s), %.3f s masked (%d of %d tiles)",
                             folding.rawValue, t, full.seconds, dense.statistics.flops / 1e9, gflops, part.seconds,
                             dense.statistics.tilesComputed, dense.statistics.tilesComputed + dense.statistics.tilesSkipped))
            }
        }
        let exact = try ProbabilityMapper(models: [model], options: .init(mode: .exact))
        if exactRows > 0 {
            let rows = min(exactRows, img.height)
            var band = Mask(width: img.width, height: img.height)
            for i in 0..<(rows * img.width) { band.bits[i] = true }
            let t = try time(exact, img, band)
            let rate = Double(rows * img.width) / t.seconds
            print(String(format: "  exact: %d patches in %.2f s = %.0f patches/s (%.1f GFLOP/s) -> whole image %.0f s, masked %.0f s",
                         rows * img.width, t.seconds, rate, exact.statistics.flops / t.seconds / 1e9,
                         Double(img.width * img.height) / rate, Double(mask.count) / rate))
        }
        if compare, let denseMasked {
            let start = Date()
            let e = try exact.map(image: img, mask: mask)
            let seconds = Date().timeIntervalSince(start)
            var maxDiff: Float = 0, sum = 0.0
            for i in mask.bits.indices where mask.bits[i] {
                let d = abs(e.values[i] - denseMasked.values[i])
                maxDiff = max(maxDiff, d); sum += Double(d)
            }
            // The dense pass subtracts the per-channel average of the mean image: how much of the difference is that?
            var flat = model
            let means = model.channelMeans, n = model.patchSize * model.patchSize
            flat.mean.data = (0..<(3 * n)).map { means[$0 / n] }
            let e2 = try ProbabilityMapper(models: [flat], options: .init(mode: .exact)).map(image: img, mask: mask)
            var meanMax: Float = 0, meanSum = 0.0
            for i in mask.bits.indices where mask.bits[i] {
                let d = abs(e.values[i] - e2.values[i]); meanMax = max(meanMax, d); meanSum += Double(d)
            }
            print(String(format: "  exact with the channel-average mean vs exact: max |dP| %.4f, mean |dP| %.5f", meanMax, meanSum / Double(mask.count)))
            let detector = PeakDetector(threshold: 0.5)
            let de = detector.detect(e), dd = detector.detect(denseMasked)
            func unmatched(_ a: [Detection], _ b: [Detection]) -> Int {
                a.filter { p in !b.contains { ($0.x - p.x) * ($0.x - p.x) + ($0.y - p.y) * ($0.y - p.y) <= 4 } }.count
            }
            let classFlips = mask.bits.indices.filter { mask.bits[$0] && ((e.values[$0] > 0.5) != (denseMasked.values[$0] > 0.5)) }.count
            print(String(format: "  exact vs dense over %d masked px (exact took %.0f s): max |dP| %.4f, mean |dP| %.5f, argmax flips %d; "
                         + "detections (t=0.5) exact %d, dense %d, exact without a dense one within 2 px %d, dense without exact %d",
                         mask.count, seconds, maxDiff, sum / Double(mask.count), classFlips, de.count, dd.count,
                         unmatched(de, dd), unmatched(dd, de)))
        }
    }
}
