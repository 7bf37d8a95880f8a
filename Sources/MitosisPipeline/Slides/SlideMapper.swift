import Foundation
import MitosisData
import MitosisImage
import MitosisSupport

/// Where a slide's working image lies: the level-0 pixel size, the scale to the working resolution and the
/// working image's size. The working image is made from level 0 as the models' training images were (MATLAB
/// `imresize`, e.g. 1/2 from 40x); a slide already within `asIsTolerance` of the working pixel size (a 20x
/// slide at 0.499 um for 0.5) is used as it is, not resampled by 0.998.
public struct SlideGeometry: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int
    /// Level-0 um per pixel.
    public var micronsPerPixel: Double
    /// Working um per pixel (the model bundle's).
    public var workingMicronsPerPixel: Double
    /// Level-0 -> working (1 when used as is).
    public var scale: Double
    public var workingWidth: Int
    public var workingHeight: Int

    public static let asIsTolerance = 0.05

    public init(width: Int, height: Int, micronsPerPixel: Double, workingMicronsPerPixel: Double) {
        self.width = width; self.height = height
        self.micronsPerPixel = micronsPerPixel; self.workingMicronsPerPixel = workingMicronsPerPixel
        let s = micronsPerPixel / workingMicronsPerPixel
        scale = abs(s - 1) <= Self.asIsTolerance ? 1 : s
        workingWidth = scale == 1 ? width : ResizeWindow.outputLength(width, scale: scale)
        workingHeight = scale == 1 ? height : ResizeWindow.outputLength(height, scale: scale)
    }

    /// Level-0 coordinates of the centre of working pixel (x, y), as `MapDetection.fullResolution`.
    public func levelZero(x: Double, y: Double) -> (x: Double, y: Double) {
        ((x + 0.5) / scale - 0.5, (y + 0.5) / scale - 0.5)
    }
}

/// What a slide's tiles share, fixed once per slide so that every tile is mapped the same way: the
/// blue-ratio threshold of the candidate mask and the stain basis of the normalisation, estimated on tissue
/// sampled evenly over the slide (a per-tile estimate would change at every seam).
public struct SlideCalibration: Sendable, Equatable, Codable {
    /// `blueRatio > threshold`, then dilated, is where the maps are evaluated (nil: everywhere).
    public var blueRatioThreshold: Float?
    /// The slide's stains (nil: not normalised).
    public var stains: StainBasis?
    /// Working pixels sampled.
    public var sampledPixels: Int
    public init(blueRatioThreshold: Float?, stains: StainBasis?, sampledPixels: Int) {
        self.blueRatioThreshold = blueRatioThreshold; self.stains = stains; self.sampledPixels = sampledPixels
    }
}

/// One tile's results: the detections it owns and its block of the heatmap.
public struct SlideTileResult: Sendable, Codable, Equatable {
    public struct Found: Sendable, Codable, Equatable {
        /// Level-0 pixels.
        public var x: Double
        public var y: Double
        /// Log-odds of the smoothed P(mitosis), as `MapDetection`.
        public var score: Float
        /// Working-resolution pixel of the peak.
        public var mapX: Int
        public var mapY: Int
    }
    public var row: Int
    public var column: Int
    public var detections: [Found]
    /// Heatmap cells of the owned region: max P(mitosis) per `cell x cell` working pixels, row-major.
    public var cellX: Int, cellY: Int, cellColumns: Int, cellRows: Int
    public var cells: [Float]
    /// Working pixels mapped (inside the candidate mask) and the tile's seconds.
    public var maskedPixels: Int
    public var seconds: Double
}

/// The tiles of a slide's working image and how each is mapped: a dense map over the tile and a halo wide
/// enough that the owned part equals, to float precision, the map of the whole slide computed in one piece;
/// peaks are found on the owned part plus the detector's reach and kept only where owned, so a mitosis on
/// a seam is found once.
///
/// Halo (working pixels): `patch/2 + 2*stride + mask radius + 2` around the map region, which is the owned
/// region grown by `smoothingRadius + clearingRadius`; level-0 pixels read are those the MATLAB resize of
/// that window reads (`ResizeWindow`). Memory per tile: about 40 bytes per input pixel (RGB, masks, P, 1-P,
/// log-odds and the network's tiles), 70 MB for the default 1024 tile, whatever the slide's size.
public struct SlideTiling: Sendable {
    public var geometry: SlideGeometry
    /// Owned tile side in working pixels (a multiple of the map stride and of `cell`).
    public var tile: Int
    public var patchSize: Int
    public var stride: Int
    public var maskRadius: Int
    public var detector: PeakDetector
    public var cell: Int

    public init(geometry: SlideGeometry, tile: Int, patchSize: Int, stride: Int, maskRadius: Int, detector: PeakDetector, cell: Int) {
        let unit = stride * cell / gcd(stride, cell)
        self.geometry = geometry
        self.tile = max(unit, (tile / unit) * unit)
        self.patchSize = patchSize; self.stride = stride; self.maskRadius = maskRadius
        self.detector = detector; self.cell = cell
    }

    public var rows: Int { (geometry.workingHeight + tile - 1) / tile }
    public var columns: Int { (geometry.workingWidth + tile - 1) / tile }

    public func owned(row: Int, column: Int) -> (x: Range<Int>, y: Range<Int>) {
        (column * tile..<min(geometry.workingWidth, (column + 1) * tile), row * tile..<min(geometry.workingHeight, (row + 1) * tile))
    }

    /// The map region (owned + the detector's reach) and the input region (map region + halo, its start
    /// aligned to the stride so the coarse grid is the slide's), clipped to the working image.
    public func regions(row: Int, column: Int) -> (map: (x: Range<Int>, y: Range<Int>), input: (x: Range<Int>, y: Range<Int>)) {
        let o = owned(row: row, column: column)
        let reach = detector.smoothingRadius + detector.clearingRadius
        let halo = patchSize / 2 + 2 * stride + maskRadius + 2
        func grow(_ r: Range<Int>, _ by: Int, _ n: Int, align: Int) -> Range<Int> {
            let lo = max(0, r.lowerBound - by)
            return (lo / align * align)..<min(n, r.upperBound + by)
        }
        let mx = grow(o.x, reach, geometry.workingWidth, align: 1), my = grow(o.y, reach, geometry.workingHeight, align: 1)
        return ((mx, my), (grow(mx, halo, geometry.workingWidth, align: stride), grow(my, halo, geometry.workingHeight, align: stride)))
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

/// Maps tiles of one slide with fixed settings (see `SlideTiling`).
public final class SlideMapper {
    public let slide: SlideReading
    public let tiling: SlideTiling
    public let calibration: SlideCalibration
    public let normalizer: StainNormalizer?
    public let mapper: ProbabilityMapper
    /// Log-odds threshold of a detection.
    public let threshold: Float

    public init(slide: SlideReading, tiling: SlideTiling, calibration: SlideCalibration, normalizer: StainNormalizer?,
                mapper: ProbabilityMapper, threshold: Float) {
        self.slide = slide; self.tiling = tiling; self.calibration = calibration
        self.normalizer = normalizer; self.mapper = mapper; self.threshold = threshold
    }

    /// The working-resolution pixels of `x` x `y` (working coordinates), exactly as the whole slide resized.
    public static func workingRegion(_ slide: SlideReading, _ g: SlideGeometry, x: Range<Int>, y: Range<Int>) throws -> Image {
        var times = PrepareTimes()
        return try workingRegion(slide, g, x: x, y: y, times: &times)
    }

    /// As `workingRegion(_:_:x:y:)`, adding the seconds spent reading and resizing to `times`.
    static func workingRegion(_ slide: SlideReading, _ g: SlideGeometry, x: Range<Int>, y: Range<Int>,
                              times: inout PrepareTimes) throws -> Image {
        let started = Date()
        if g.scale == 1 {
            defer { times.read += Date().timeIntervalSince(started) }
            return try slide.read(level: 0, x: x.lowerBound, y: y.lowerBound, width: x.count, height: y.count)
        }
        let ix = ResizeWindow.inputRange(outputs: x, inputLength: g.width, scale: g.scale)
        let iy = ResizeWindow.inputRange(outputs: y, inputLength: g.height, scale: g.scale)
        let window = try slide.read(level: 0, x: ix.lowerBound, y: iy.lowerBound, width: ix.count, height: iy.count)
        let read = Date()
        times.read += read.timeIntervalSince(started)
        defer { times.resize += Date().timeIntervalSince(read) }
        return try ResizeWindow.resized(window, origin: (ix.lowerBound, iy.lowerBound), wholeWidth: g.width, wholeHeight: g.height,
                                        scale: g.scale, rows: y, columns: x)
    }

    /// Where a tile's preparation spent its time, in seconds.
    public struct PrepareTimes: Sendable {
        public var read = 0.0, resize = 0.0, mask = 0.0, normalize = 0.0
        public init() {}
        public static func += (a: inout PrepareTimes, b: PrepareTimes) {
            a.read += b.read; a.resize += b.resize; a.mask += b.mask; a.normalize += b.normalize
        }
    }

    /// A tile's inputs, ready to map (the part that reads and resizes; may run ahead on another thread).
    public struct Prepared {
        public var row: Int, column: Int
        public var image: Image
        public var mask: Mask?
        public var maskedPixels: Int
        public var times: PrepareTimes
    }

    public func prepare(row: Int, column: Int) throws -> Prepared {
        let r = tiling.regions(row: row, column: column)
        var times = PrepareTimes()
        let raw = try Self.workingRegion(slide, tiling.geometry, x: r.input.x, y: r.input.y, times: &times)
        var mask: Mask?
        var started = Date()
        if let t = calibration.blueRatioThreshold {
            mask = raw.blueRatio().mask(above: t).dilated(disk: tiling.maskRadius)
        }
        let masked = mask?.bits.reduce(0) { $1 ? $0 + 1 : $0 } ?? raw.width * raw.height
        times.mask = Date().timeIntervalSince(started)
        started = Date()
        let image = (normalizer != nil && calibration.stains != nil) ? normalizer!.apply(calibration.stains!, to: raw) : raw
        times.normalize = Date().timeIntervalSince(started)
        return Prepared(row: row, column: column, image: image, mask: mask, maskedPixels: masked, times: times)
    }

    /// The log-odds map of the tile's map region (`regions(...).map`), -100 outside the mask.
    public func logOdds(_ p: Prepared) throws -> FloatPlane {
        let r = tiling.regions(row: p.row, column: p.column)
        let (prob, complement) = try mapper.mapWithComplement(image: p.image, mask: p.mask)
        let all = ProbabilityImages.logOdds(probability: prob, complement: complement)
        return try all.cropped(x: r.map.x.lowerBound - r.input.x.lowerBound, y: r.map.y.lowerBound - r.input.y.lowerBound,
                               width: r.map.x.count, height: r.map.y.count)
    }

    /// Maps a prepared tile: owned detections and heatmap cells.
    public func finish(_ p: Prepared, started: Date = Date()) throws -> SlideTileResult {
        let r = tiling.regions(row: p.row, column: p.column), o = tiling.owned(row: p.row, column: p.column)
        let map = try logOdds(p)
        var detector = tiling.detector
        detector.threshold = min(detector.threshold, MapDetection.probability(logOdds: threshold))
        let g = tiling.geometry
        let found: [SlideTileResult.Found] = detector.detect(logOdds: map).compactMap { d in
            let x = d.x + r.map.x.lowerBound, y = d.y + r.map.y.lowerBound
            guard o.x.contains(x), o.y.contains(y), d.score >= threshold else { return nil }
            let l0 = g.levelZero(x: Double(x), y: Double(y))
            return .init(x: l0.x, y: l0.y, score: d.score, mapX: x, mapY: y)
        }
        let c = tiling.cell
        let cx = o.x.lowerBound / c, cy = o.y.lowerBound / c
        let cols = (o.x.count + c - 1) / c, rows = (o.y.count + c - 1) / c
        var cells = [Float](repeating: 0, count: cols * rows)
        for y in o.y {
            let my = y - r.map.y.lowerBound
            for x in o.x {
                let v = map.values[my * map.width + x - r.map.x.lowerBound]
                let k = ((y - o.y.lowerBound) / c) * cols + (x - o.x.lowerBound) / c
                cells[k] = max(cells[k], 1 / (1 + expf(-v)))
            }
        }
        return SlideTileResult(row: p.row, column: p.column, detections: found, cellX: cx, cellY: cy, cellColumns: cols, cellRows: rows,
                               cells: cells, maskedPixels: p.maskedPixels, seconds: Date().timeIntervalSince(started))
    }

    // MARK: - Calibration

    /// The blue-ratio threshold (Otsu, floored at the 80th percentile, as `BlueRatioSegmentation` does per
    /// image) over the tissue pixels (`tissue`; all pixels without it) of up to `samples` working-resolution
    /// squares of `side` pixels centred on tissue tiles spread evenly over the slide (every k-th tissue tile
    /// in row-major order: no randomness), and the stain basis of those squares. Glass is left out of the
    /// threshold's statistics because a frame of a dataset, on which the per-image rule was made, is tissue
    /// to its edges: with glass the 80th percentile falls and the mask grows.
    public static func calibrate(_ slide: SlideReading, geometry g: SlideGeometry, tissueTiles: [(x: Range<Int>, y: Range<Int>)],
                                 tissue: TissueMask? = nil, useMask: Bool, normalizer: StainNormalizer?,
                                 samples: Int = 16, side: Int = 256) throws -> SlideCalibration {
        guard useMask || normalizer != nil, !tissueTiles.isEmpty else {
            return SlideCalibration(blueRatioThreshold: nil, stains: nil, sampledPixels: 0)
        }
        let n = min(samples, tissueTiles.count)
        let picks = (0..<n).map { tissueTiles[$0 * tissueTiles.count / n] }
        let s = min(side, g.workingWidth, g.workingHeight)
        let columns = Int(Double(n).squareRoot().rounded(.up)), rows = (n + columns - 1) / columns
        var mosaic = Image(width: columns * s, height: rows * s, channels: 3, fill: 255)
        var ratios: [Float] = []
        let f = tissue.map { g.workingMicronsPerPixel / $0.micronsPerPixel } ?? 0
        for (k, t) in picks.enumerated() {
            let cx = (t.x.lowerBound + t.x.upperBound) / 2, cy = (t.y.lowerBound + t.y.upperBound) / 2
            let x0 = min(max(0, cx - s / 2), g.workingWidth - s), y0 = min(max(0, cy - s / 2), g.workingHeight - s)
            let square = try workingRegion(slide, g, x: x0..<(x0 + s), y: y0..<(y0 + s))
            let br = square.blueRatio()
            for y in 0..<s {
                for x in 0..<s {
                    if let m = tissue?.mask {
                        let mx = min(m.width - 1, Int(Double(x0 + x) * f)), my = min(m.height - 1, Int(Double(y0 + y) * f))
                        guard m.bits[my * m.width + mx] else { continue }
                    }
                    ratios.append(br.values[y * s + x])
                }
            }
            let ox = (k % columns) * s, oy = (k / columns) * s
            for y in 0..<s {
                let src = y * s * 3, dst = ((oy + y) * mosaic.width + ox) * 3
                mosaic.pixels.replaceSubrange(dst..<(dst + s * 3), with: square.pixels[src..<(src + s * 3)])
            }
        }
        var threshold: Float?
        if useMask {
            let plane = ratios.isEmpty ? mosaic.blueRatio() : FloatPlane(width: ratios.count, height: 1, values: ratios)
            threshold = max(plane.otsuThreshold(), plane.percentile(BlueRatioSegmentation.percentileFloor))
        }
        var stains: StainBasis?
        if let normalizer {
            do { stains = try normalizer.estimate(mosaic) } catch {
                throw PipelineError.badFile(path: slide.path, reason: "cannot be stain-normalised: \(error). HINT: the tissue found may be too little or too pale; check _tissue.png")
            }
        }
        return SlideCalibration(blueRatioThreshold: threshold, stains: stains, sampledPixels: n * s * s)
    }
}
