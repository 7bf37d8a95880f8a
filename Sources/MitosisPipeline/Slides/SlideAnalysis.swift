import Dispatch
import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisSupport

/// `mitosis slide`: a model bundle over whole slides. Per slide, into `OUT/<slide name>/`: the tissue mask,
/// the dense map over tissue tiles (`SlideMapper`), detections in level-0 pixels and um, the hotspot and
/// its grade, and the pictures (`SlideOutputs`); then `OUT/slides.csv` and `OUT/slides.html` over the batch.
///
/// Resumable: each finished tile is kept in `tiles/` and not mapped again; `slide.json` records the settings
/// and the slide's calibration, and a re-run with other settings is refused rather than mixing tiles.
/// A failing slide is reported and the others go on.
public struct SlideAnalysis {
    public var bundle: ModelBundle
    public var bundleFolder: String
    public var output: String
    /// Level-0 pixel size in um; wins over the slide's metadata (needed when the file records none).
    public var pixelSize: Double?
    /// Owned tile side in working pixels.
    public var tile = 1024
    /// Heatmap cell side in working pixels.
    public var cell = 16
    public var region = HotspotRegion.standard
    /// Given cut-offs (in the region's own counts); nil: the seed's, scaled to the region's area.
    public var cutoffs: GradeCutoffs?
    /// Overrides the bundle's threshold (log-odds).
    public var threshold: Float?
    /// Top detections shown in the gallery.
    public var galleryCount = 24
    /// Ground truth: a centres CSV (x,y in level-0 pixels, as `make-slide` writes), or a folder holding
    /// `<slide name>.csv`; the detections are then matched within 7.5 um (`Matching`).
    public var truth: String?
    public var logger = Logger(label: "mitosis.slide")
    /// Benchmarks only (`mitosis bench slide-prepare`): prepare every tissue tile one after the other with
    /// nothing else running, map none, write no tile and no output but the slide's folder records, and
    /// return a summary with only the preparation's seconds filled in.
    public var prepareOnly = false

    public init(bundleFolder: String, output: String) throws {
        self.bundleFolder = FilePaths.absolute(bundleFolder)
        self.output = FilePaths.absolute(output)
        bundle = try ModelBundle.read(folder: self.bundleFolder)
    }

    /// What the settings of a slide's tiles were; tiles of other settings are never mixed.
    public struct Settings: Codable, Equatable {
        public var bundle: String
        public var threshold: Float
        public var tile: Int
        public var cell: Int
        public var stride: Int
        public var mask: Bool
        public var stainNormalization: Bool
        public var micronsPerPixel: Double
        public var workingMicronsPerPixel: Double
    }

    /// `slide.json`: the settings and the calibration the tiles were mapped with.
    public struct Record: Codable {
        public var settings: Settings
        public var calibration: SlideCalibration
    }

    /// One slide's figures (also `summary.json`).
    public struct Summary: Codable {
        public var name: String
        public var path: String
        public var vendor: String
        public var width: Int
        public var height: Int
        public var micronsPerPixel: Double
        public var pixelSizeSource: String
        public var scale: Double
        public var tissueAreaMM2: Double
        public var tiles: Int
        public var tissueTiles: Int
        public var resumedTiles: Int
        public var detections: Int
        /// Detections per mm^2 of tissue.
        public var perMM2Tissue: Double
        public var hotspot: Hotspot?
        /// Against `truth`, matched within `matchRadius` level-0 pixels (7.5 um).
        public var evaluation: MatchCounts?
        public var matchRadius: Double?
        public var threshold: Float
        public var seconds: Double
        /// Seconds reading/resizing/masking tiles (overlapped with mapping) and mapping/detecting them.
        public var prepareSeconds: Double
        /// `prepareSeconds` in parts: reading level-0 pixels (decoding included), resizing to the working
        /// resolution, the blue-ratio mask, stain normalisation (nil in summaries of older versions).
        public var readSeconds: Double?, resizeSeconds: Double?, maskSeconds: Double?, normalizeSeconds: Double?
        public var mapSeconds: Double
        /// Working megapixels of the tissue tiles (input with halo excluded).
        public var tissueMegapixels: Double
    }

    /// What `run` did.
    public struct Result {
        public var summaries: [Summary] = []
        public var failures: [(path: String, error: Error)] = []
    }

    /// Progress: (slide index, slides, tiles done, tiles of this slide).
    public typealias Progress = (_ slide: Int, _ slides: Int, _ done: Int, _ total: Int) -> Void

    public func run(_ slides: [String], progress: Progress? = nil) throws -> Result {
        let claim = try OutputFolderLock(folder: output, purpose: "mitosis slide")
        defer { withExtendedLifetime(claim) {} }
        let result = try analyse(slides, indices: Array(slides.indices), progress: progress)
        try SlideOutputs.writeCohort(result, to: output)
        return result
    }

    /// The slides at `indices` of `slides`, each on its own: a failing slide is recorded and the others go
    /// on. Writes each slide's folder, not the batch's `slides.csv`/`slides.html`.
    public func analyse(_ slides: [String], indices: [Int], progress: Progress? = nil) throws -> Result {
        guard !slides.isEmpty else { throw PipelineError.invalidOption("no slides given") }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var result = Result()
        let mappers = LazyValue<ProbabilityMapper>()
        for k in indices {
            let path = FilePaths.absolute(slides[k])
            // A model that does not load stops the batch with its error once (it would fail every slide).
            let mapper = try mappers.get { try ProbabilityMapper(models: bundle.classifiers(folder: bundleFolder), options: bundle.mapOptions) }
            do {
                let summary = try analyse(path, mapper: mapper) { progress?(k, slides.count, $0, $1) }
                result.summaries.append(summary)
                logger.info("\(summary.name): \(summary.detections) mitoses, hotspot \(summary.hotspot.map { "\($0.count) (score \($0.score))" } ?? "-"), \(String(format: "%.1f", summary.seconds)) s")
            } catch {
                logger.error("\(path): \(error)")
                result.failures.append((path, error))
            }
        }
        return result
    }

    /// The batch's `slides.csv` and `slides.html` from the slides' `summary.json` (written by `analyse`,
    /// here or in other processes); a slide without one is a failure.
    public func collect(_ slides: [String]) throws -> Result {
        var result = Result()
        for path in slides.map({ FilePaths.absolute($0) }) {
            let file = summaryPath(of: path)
            do {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw PipelineError.missingInput(path: file, hint: "the slide's task has not finished; see `mitosis status`")
                }
                result.summaries.append(try JSONDecoder().decode(Summary.self, from: data))
            } catch {
                result.failures.append((path, error))
            }
        }
        try SlideOutputs.writeCohort(result, to: output)
        return result
    }

    /// `OUT/<slide>/summary.json`, written last: the slide is finished when it exists.
    public func summaryPath(of slide: String) -> String {
        (output as NSString).appendingPathComponent(Self.name(of: FilePaths.absolute(slide))) + "/summary.json"
    }

    static func name(of path: String) -> String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }

    /// One slide, end to end.
    public func analyse(_ path: String, mapper: ProbabilityMapper, progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        let start = Date()
        let slide = try Slides.open(path)
        let name = Self.name(of: path)
        let folder = (output as NSString).appendingPathComponent(name)
        let source: String
        let microns: Double
        if let pixelSize { (microns, source) = (pixelSize, "given") } else if let m = slide.recordedMicronsPerPixel { (microns, source) = (m, "recorded") } else {
            throw PipelineError.badFile(path: path, reason: "the slide records no pixel size (no openslide.mpp-x, no TIFF resolution). HINT: give --pixel-size, e.g. 0.25 for a 40x scan, 0.5 for 20x")
        }
        let geometry = SlideGeometry(width: slide.width, height: slide.height, micronsPerPixel: microns, workingMicronsPerPixel: bundle.workingPixelSize)
        let options = bundle.mapOptions
        let detection = bundle.detection(imagePixelSize: microns)
        let threshold = self.threshold ?? bundle.threshold.value
        // The candidate mask's dilation: the tutorial's 20 px at 40x, scaled as `ProbabilityMapJob` scales it
        // (so a frame gives the same mask in `apply` and on a slide).
        let maskRadius = max(1, Int((20 * geometry.scale).rounded()))
        let tiling = SlideTiling(geometry: geometry, tile: tile, patchSize: mapper.patchSize, stride: options.stride,
                                 maskRadius: maskRadius, detector: detection.detector, cell: cell)
        try FileManager.default.createDirectory(atPath: folder + "/tiles", withIntermediateDirectories: true)

        let tissue = try TissueMask.compute(slide, micronsPerPixel: microns)
        try ImageIO.write(Image(width: tissue.mask.width, height: tissue.mask.height, channels: 1, pixels: tissue.mask.bits.map { $0 ? 255 : 0 }),
                          to: folder + "/tissue.png")
        var tissueTiles: [(row: Int, column: Int)] = []
        for r in 0..<tiling.rows {
            for c in 0..<tiling.columns {
                let o = tiling.owned(row: r, column: c)
                if tissue.hasTissue(x: o.x, y: o.y, workingMicrons: bundle.workingPixelSize) { tissueTiles.append((r, c)) }
            }
        }
        let normalizer = bundle.maps.stainNormalization != nil ? StainNormalizer() : nil
        let settings = Settings(bundle: bundleFolder, threshold: threshold, tile: tiling.tile, cell: cell, stride: options.stride,
                                mask: bundle.maps.mask, stainNormalization: normalizer != nil, micronsPerPixel: microns,
                                workingMicronsPerPixel: bundle.workingPixelSize)
        let recordPath = folder + "/slide.json"
        let calibration: SlideCalibration
        if let data = FileManager.default.contents(atPath: recordPath) {
            let record: Record
            do { record = try JSONDecoder().decode(Record.self, from: data) } catch {
                throw PipelineError.badFile(path: recordPath, reason: "not a slide record (\(error)). HINT: delete \(folder) to start this slide again")
            }
            guard record.settings == settings else {
                throw PipelineError.invalidOption("\(folder) holds tiles mapped with other settings (\(record.settings)); now \(settings). HINT: delete that folder, or give another -o")
            }
            calibration = record.calibration
        } else {
            calibration = try SlideMapper.calibrate(slide, geometry: geometry, tissueTiles: tissueTiles.map { tiling.owned(row: $0.row, column: $0.column) }, tissue: tissue,
                                                    useMask: bundle.maps.mask, normalizer: normalizer)
            try AnalysisFiles.writeJSON(Record(settings: settings, calibration: calibration), to: recordPath)
        }
        let slideMapper = SlideMapper(slide: slide, tiling: tiling, calibration: calibration, normalizer: normalizer, mapper: mapper, threshold: threshold)
        let tilePath = { (r: Int, c: Int) in "\(folder)/tiles/\(r)_\(c).json" }
        let todo = tissueTiles.filter { !FileManager.default.fileExists(atPath: tilePath($0.row, $0.column)) }
        let resumed = tissueTiles.count - todo.count
        if resumed > 0 { logger.info("\(name): \(resumed) of \(tissueTiles.count) tissue tiles already mapped; going on") }
        progress?(resumed, tissueTiles.count)
        var prepareSeconds = 0.0, mapSeconds = 0.0, parts = SlideMapper.PrepareTimes()
        /// The slide's summary with the timings so far and what the mapping found.
        func summary(resumed: Int, detections: Int, hotspot: Hotspot?, evaluation: MatchCounts?, matchRadius: Double?,
                     seconds: Double, tissueMegapixels: Double) -> Summary {
            Summary(name: name, path: path, vendor: slide.vendor, width: slide.width, height: slide.height, micronsPerPixel: microns,
                    pixelSizeSource: source, scale: geometry.scale, tissueAreaMM2: tissue.areaMM2, tiles: tiling.rows * tiling.columns,
                    tissueTiles: tissueTiles.count, resumedTiles: resumed, detections: detections,
                    perMM2Tissue: tissue.areaMM2 > 0 ? Double(detections) / tissue.areaMM2 : 0, hotspot: hotspot,
                    evaluation: evaluation, matchRadius: matchRadius, threshold: threshold, seconds: seconds,
                    prepareSeconds: prepareSeconds, readSeconds: parts.read, resizeSeconds: parts.resize, maskSeconds: parts.mask,
                    normalizeSeconds: parts.normalize, mapSeconds: mapSeconds, tissueMegapixels: tissueMegapixels)
        }
        if prepareOnly {
            for (k, t) in tissueTiles.enumerated() {
                let s = Date()
                parts += try slideMapper.prepare(row: t.row, column: t.column).times
                prepareSeconds += Date().timeIntervalSince(s)
                progress?(k + 1, tissueTiles.count)
            }
            return summary(resumed: 0, detections: 0, hotspot: nil, evaluation: nil, matchRadius: nil,
                           seconds: Date().timeIntervalSince(start), tissueMegapixels: 0)
        }
        // Tile k + 1 is read, resized and masked on another thread while tile k is mapped.
        let ahead = DispatchQueue(label: "mitosis.slide.prepare")
        final class Box: @unchecked Sendable { var value: Swift.Result<SlideMapper.Prepared, Error>?; var seconds = 0.0 }
        func launch(_ k: Int) -> (DispatchGroup, Box) {
            let group = DispatchGroup(), box = Box()
            let t = todo[k]
            ahead.async(group: group) {
                let s = Date()
                box.value = Swift.Result { try slideMapper.prepare(row: t.row, column: t.column) }
                box.seconds = Date().timeIntervalSince(s)
            }
            return (group, box)
        }
        var pending = todo.isEmpty ? nil : launch(0)
        for k in todo.indices {
            let (group, box) = pending!
            group.wait()
            pending = k + 1 < todo.count ? launch(k + 1) : nil
            prepareSeconds += box.seconds
            let prepared = try box.value!.get()
            parts += prepared.times
            let s = Date()
            let tileResult = try slideMapper.finish(prepared, started: s)
            mapSeconds += Date().timeIntervalSince(s)
            try AnalysisFiles.writeJSON(tileResult, to: tilePath(tileResult.row, tileResult.column))
            progress?(resumed + k + 1, tissueTiles.count)
        }
        // Assemble from the tile files (the resumed ones and the new).
        var results: [SlideTileResult] = []
        for t in tissueTiles {
            let p = tilePath(t.row, t.column)
            do { results.append(try JSONDecoder().decode(SlideTileResult.self, from: Data(contentsOf: URL(fileURLWithPath: p)))) } catch {
                throw PipelineError.badFile(path: p, reason: "unreadable tile result (\(error)). HINT: delete it; the next run maps that tile again")
            }
        }
        let detections = results.flatMap(\.detections).sorted { $0.score != $1.score ? $0.score > $1.score : ($0.y, $0.x) < ($1.y, $1.x) }
        let tissueMegapixels = tissueTiles.reduce(0.0) { acc, t in
            let o = tiling.owned(row: t.row, column: t.column); return acc + Double(o.x.count * o.y.count) / 1e6
        }
        let hotspot = SlideOutputs.hotspot(detections, geometry: geometry, tissue: tissue, region: region, cutoffs: cutoffs, logger: logger)
        var evaluation: MatchCounts?
        let matchRadius = 7.5 / microns
        if let truth {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: truth, isDirectory: &isFolder)
            let file = isFolder.boolValue ? (truth as NSString).appendingPathComponent(name + ".csv") : truth
            let centres = try CentreCSV.read(FilePaths.absolute(file)).map { Point(x: $0.x, y: $0.y) }
            evaluation = Matching.counts(truth: centres, detections: detections.map { Point(x: $0.x, y: $0.y) }, radius: matchRadius)
        }
        var summary = summary(resumed: resumed, detections: detections.count, hotspot: hotspot, evaluation: evaluation,
                              matchRadius: truth == nil ? nil : matchRadius, seconds: 0, tissueMegapixels: tissueMegapixels)
        try SlideOutputs.write(summary: summary, detections: detections, tiles: results, tiling: tiling, tissue: tissue, slide: slide,
                               galleryCount: galleryCount, to: folder)
        summary.seconds = Date().timeIntervalSince(start)
        try AnalysisFiles.writeJSON(summary, to: folder + "/summary.json")
        return summary
    }
}
