import ArgumentParser
import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisPipeline
import MitosisSupport

/// `mitosis detect`: mitosis centres from `_prob.png` maps, as CSV and QuPath GeoJSON at 40x, with overlays.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find mitosis centres in P(mitosis) maps (<name>_prob.png): <name>.csv and <name>.geojson at 40x.",
        discussion: """
            Each map written by `mitosis probmap` (at the working resolution, 20x by default) is averaged over a \
            disk of --radius pixels; then the highest value above --threshold is taken as a mitosis and a disk of \
            --clearing pixels around it is cleared, repeatedly (the tutorial's step5_identify_peak_in_probs.m). \
            Map pixel (x, y) is written at 40x as ((x + 0.5) / scale - 0.5, (y + 0.5) / scale - 0.5), exactly as \
            `mitosis run` does, by the same code (MapDetection): a full-precision <name>_logodds.tif beside a \
            _prob.png is preferred when present, and every score is the log-odds of the smoothed P(mitosis), \
            ln(sP / (1 - sP)), as in `mitosis run`'s detections (so `evaluate --threshold` means the same for \
            both). Per map: <name>.csv (x,y,logodds) and <name>.geojson (QuPath: File > Import objects; \
            measurements P(mitosis) and log-odds). With --images DIR holding the original <name>.tif/.png/.jpg, also <name>_overlay.png at the working \
            resolution; when DIR also holds the ground truth <name>.csv (tutorial layout), rings are green for true \
            positives, orange-red for false positives and cyan for missed mitoses (TP within --match-radius px at \
            40x); without ground truth every detection is orange-red. A map that fails does not stop the others; \
            failures are listed at the end and the exit code is then non-zero.
            """)

    @Argument(help: "<name>_prob.png maps written by `mitosis probmap`, or folders of them.")
    var maps: [String]

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Option(help: "Radius in map pixels of the disk P(mitosis) is averaged over (the tutorial's 6).")
    var radius = 6

    @Option(help: "Clearing radius in map pixels around each detection (15 at 20x: the 30 px match radius at 40x, so an anaphase gives one peak).")
    var clearing = 15

    @Option(help: "Smallest smoothed P(mitosis) of a detection, a probability (0...1); the CSV's scores are its log-odds.")
    var threshold: Float = 0.5

    @Option(help: "Scale of the maps relative to the original images (default: --pixel-size / --working-pixel-size, 0.5 at 0.25 um/px).")
    var scale: Double?

    @OptionGroup var resolution: PixelSizeOptions

    @Option(help: "Folder of the original images (and, optionally, ground-truth <name>.csv) for overlays.")
    var images: String?

    @Option(help: "Column order of the ground-truth CSVs in --images: xy (x = column first, the tutorial's) or yx.")
    var csvOrder: CSVOrder = .xy

    @Option(help: "True-positive radius in image pixels for the overlay colours (default: 7.5 um, 30 px at 0.25 um/px).")
    var matchRadius: Double?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard radius >= 0 else { throw ValidationError("--radius must be 0 or more (got \(radius))") }
        guard clearing >= 0 else { throw ValidationError("--clearing must be 0 or more (got \(clearing))") }
        guard threshold >= 0, threshold <= 1 else { throw ValidationError("--threshold must lie in 0...1 (got \(threshold))") }
        if let scale { guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be positive (got \(scale))") } }
        if let matchRadius { guard matchRadius > 0 else { throw ValidationError("--match-radius must be positive (got \(matchRadius))") } }
    }

    func run() throws {
        let log = global.logger("detect")
        let detector = PeakDetector(smoothingRadius: radius, clearingRadius: clearing, threshold: threshold)
        let inputs = MapInputs.collect(maps)
        var failures = inputs.failures
        let originals = try images.map { try MapInputs.imagesByName(in: $0) }
        let imagePaths = originals.map { Array($0.values).sorted() } ?? []
        let scale = try resolution.scale(explicit: self.scale, images: imagePaths, log: log)
        let matchRadius = try self.matchRadius ?? 7.5 / (scale * resolution.workingPixelSize)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.badFile(path: output, reason: "cannot create the output folder (\((error as NSError).localizedDescription)). HINT: choose a writable --output folder.")
        }
        if inputs.maps.isEmpty && failures.isEmpty {
            throw PipelineError.invalidOption("no maps given. HINT: pass <name>_prob.png files or folders of them.")
        }
        let progress = ProgressBar("detect", total: inputs.maps.count)
        var total = 0, written = 0
        for map in inputs.maps {
            do {
                let line = try detect(map, detector: detector, scale: scale, matchRadius: matchRadius, originals: originals, log: log)
                print(line.text)
                total += line.count
                written += 1
            } catch {
                failures.append((map.path, "\(error)"))
                log.error("\(map.path): \(error)")
            }
            progress.advance()
        }
        progress.finish()
        print("\(written) of \(inputs.maps.count + inputs.failures.count) maps, \(total) detections (threshold P >= \(AnalysisFiles.score(threshold)), log-odds >= \(AnalysisFiles.score(MapDetection.logOdds(threshold: threshold)))); written to \(output)")
        if !failures.isEmpty {
            log.error("\(failures.count) of \(inputs.maps.count + inputs.failures.count) inputs failed:")
            for f in failures { log.error("  \(f.path): \(f.reason)") }
            throw ExitCode.failure
        }
    }

    /// Detects on one map and writes its files; returns the count line.
    private func detect(_ map: MapInputs.Map, detector: PeakDetector, scale: Double, matchRadius: Double, originals: [String: String]?,
                        log: Logger) throws -> (text: String, count: Int) {
        let (found, mapWidth, mapHeight) = try MapDetection(detector: detector, scale: scale).detectWithMapSize(mapAt: map.path)
        let points = found.map(\.point)
        let entries = found.map { DetectionWriter.Entry($0.point, score: $0.score) }
        let base = AnalysisFiles.join(output, map.name)
        try DetectionWriter.writeCSV(entries, to: base + ".csv")
        try DetectionWriter.writeGeoJSON(entries, to: base + ".geojson")
        var text = "\(map.name): \(entries.count) detection\(entries.count == 1 ? "" : "s")"
        guard let originals, let folder = images else { return (text, entries.count) }
        guard let imagePath = originals[map.name] else {
            log.warning("\(map.name): no image \(map.name).tif/.png/.jpg in \(folder); no overlay")
            return (text, entries.count)
        }
        let image = try ImageIO.read(imagePath)
        let truthPath = AnalysisFiles.join(folder, map.name + ".csv")
        var truth: [Point] = []
        if FileManager.default.fileExists(atPath: truthPath) {
            truth = try CentreCSV.read(truthPath, order: csvOrder, imageSize: (image.width, image.height))
                .map { Point(x: $0.x, y: $0.y) }
            let c = Matching.counts(truth: truth, detections: points, radius: matchRadius)
            text += " (TP \(c.truePositives), FP \(c.falsePositives), FN \(c.falseNegatives) against \(truthPath))"
        }
        let small = try image.convertedToChannels(3).resized(scale: scale)
        if small.width != mapWidth || small.height != mapHeight {
            log.warning("\(map.name): \(imagePath) at scale \(scale) is \(small.width)x\(small.height) but the map is \(mapWidth)x\(mapHeight); check --scale and that the image belongs to the map")
        }
        let overlay = Overlay.draw(on: small, truth: truth, detections: points, scale: scale,
                                   style: OverlayStyle(matchRadius: matchRadius))
        try ImageIO.write(overlay, to: base + "_overlay.png")
        return (text, entries.count)
    }
}
