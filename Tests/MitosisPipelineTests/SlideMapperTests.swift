import Foundation
import MitosisImage
import MitosisNN
import Testing
@testable import MitosisPipeline

/// A slide mapped tile by tile equals the slide mapped in one piece: the working image (MATLAB resize of
/// windows), the candidate mask, the stain mapping, the dense map at stride 2 and the peaks.
@Suite struct SlideMapperTests {
    /// A smooth, tissue-like test image: blue blobs (nuclei) on pink, with noise.
    static func tissue(width: Int, height: Int, seed: UInt64 = 3) -> Image {
        var g = SeededGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var blobs: [(x: Double, y: Double, r: Double)] = []
        for _ in 0..<(width * height / 900) {
            let bx = Double(g.next() % UInt64(width)), by = Double(g.next() % UInt64(height))
            let br: Double = 3 + Double(g.next() % 8)
            blobs.append((bx, by, br))
        }
        for y in 0..<height {
            for x in 0..<width {
                var blue = 0.0
                for b in blobs where abs(b.x - Double(x)) < 12 && abs(b.y - Double(y)) < 12 {
                    let dx: Double = b.x - Double(x), dy: Double = b.y - Double(y)
                    let e: Double = -(dx * dx + dy * dy) / (2 * b.r * b.r)
                    blue = max(blue, exp(e))
                }
                let n: Double = Double(g.next() % 21) - 10
                let i = (y * width + x) * 3
                pixels[i] = UInt8(max(0, min(255, 235 - 150 * blue + n)))
                pixels[i + 1] = UInt8(max(0, min(255, 170 - 110 * blue + n)))
                pixels[i + 2] = UInt8(max(0, min(255, 205 - 40 * blue + n)))
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func slide(_ image: Image) throws -> PlainImageSlide {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-slide-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ImageIO.write(image, to: dir + "/slide.png")
        return try PlainImageSlide(dir + "/slide.png")
    }

    /// The reference: the whole working image, mask and map in one piece, by the image-level code.
    static func onePiece(_ slide: PlainImageSlide, _ g: SlideGeometry, _ c: SlideCalibration, _ normalizer: StainNormalizer?,
                         _ mapper: ProbabilityMapper, maskRadius: Int) throws -> FloatPlane {
        let full = try slide.read(level: 0, x: 0, y: 0, width: slide.width, height: slide.height)
        let working = g.scale == 1 ? full : try full.resized(scale: g.scale)
        let mask = c.blueRatioThreshold.map { working.blueRatio().mask(above: $0).dilated(disk: maskRadius) }
        let image = c.stains.map { normalizer!.apply($0, to: working) } ?? working
        let (p, q) = try mapper.mapWithComplement(image: image, mask: mask)
        return ProbabilityImages.logOdds(probability: p, complement: q)
    }

    @Test(arguments: [(0.25, true), (0.2273, false), (0.5, true)])
    func tiledMapEqualsTheOnePieceMap(micronsPerPixel: Double, normalize: Bool) throws {
        let slide = try Self.slide(Self.tissue(width: 430, height: 390))
        let g = SlideGeometry(width: slide.width, height: slide.height, micronsPerPixel: micronsPerPixel, workingMicronsPerPixel: 0.5)
        let model = try ProbabilityMapFixtures.model(headScale: 1)
        let mapper = try ProbabilityMapper(models: [model], options: ProbabilityMapOptions(stride: 2))
        let normalizer: StainNormalizer? = normalize ? StainNormalizer() : nil
        let tiling = SlideTiling(geometry: g, tile: 64, patchSize: 32, stride: 2, maskRadius: 10, detector: PeakDetector(), cell: 16)
        #expect(tiling.rows > 2 && tiling.columns > 2)
        let all = (0..<tiling.rows).flatMap { r in (0..<tiling.columns).map { tiling.owned(row: r, column: $0) } }
        let calibration = try SlideMapper.calibrate(slide, geometry: g, tissueTiles: all, useMask: true, normalizer: normalizer, samples: 4, side: 64)
        #expect(calibration.blueRatioThreshold != nil && (calibration.stains != nil) == normalize)
        let reference = try Self.onePiece(slide, g, calibration, normalizer, mapper, maskRadius: 10)
        let sm = SlideMapper(slide: slide, tiling: tiling, calibration: calibration, normalizer: normalizer, mapper: mapper, threshold: 0)
        var stitched = FloatPlane(width: g.workingWidth, height: g.workingHeight, fill: .nan)
        for r in 0..<tiling.rows {
            for c in 0..<tiling.columns {
                let map = try sm.logOdds(try sm.prepare(row: r, column: c))
                let regions = tiling.regions(row: r, column: c), o = tiling.owned(row: r, column: c)
                for y in o.y { for x in o.x {
                    stitched.values[y * g.workingWidth + x] = map.values[(y - regions.map.y.lowerBound) * map.width + x - regions.map.x.lowerBound]
                } }
            }
        }
        let masked = reference.values.filter { $0 > -100 }.count
        #expect(masked > reference.values.count / 20, "the mask keeps some of the image")
        let worst = zip(stitched.values, reference.values).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(worst <= 1e-4, "largest difference \(worst) in log-odds between the tiled and the one-piece map")
    }

    @Test func tilesFindThePeaksOfTheWholeMapOnce() throws {
        let slide = try Self.slide(Self.tissue(width: 420, height: 360, seed: 5))
        let g = SlideGeometry(width: slide.width, height: slide.height, micronsPerPixel: 0.25, workingMicronsPerPixel: 0.5)
        let model = try ProbabilityMapFixtures.model(headScale: 1)
        let mapper = try ProbabilityMapper(models: [model], options: ProbabilityMapOptions(stride: 2))
        let detector = PeakDetector(smoothingRadius: 6, clearingRadius: 15, threshold: 0.01)
        let tiling = SlideTiling(geometry: g, tile: 64, patchSize: 32, stride: 2, maskRadius: 10, detector: detector, cell: 16)
        let all = (0..<tiling.rows).flatMap { r in (0..<tiling.columns).map { tiling.owned(row: r, column: $0) } }
        let calibration = try SlideMapper.calibrate(slide, geometry: g, tissueTiles: all, useMask: true, normalizer: nil, samples: 4, side: 64)
        let whole = try Self.onePiece(slide, g, calibration, nil, mapper, maskRadius: 10)
        let sorted = whole.values.filter { $0 > -100 }.sorted()
        let threshold = sorted[sorted.count * 9 / 10]
        let expected = detector.detect(logOdds: whole).filter { $0.score >= threshold }.map { "\($0.x),\($0.y)" }
        let sm = SlideMapper(slide: slide, tiling: tiling, calibration: calibration, normalizer: nil, mapper: mapper, threshold: threshold)
        var found: [String] = []
        for r in 0..<tiling.rows { for c in 0..<tiling.columns {
            found += try sm.finish(try sm.prepare(row: r, column: c)).detections.map { "\($0.mapX),\($0.mapY)" }
        } }
        #expect(expected.count >= 5)
        #expect(Set(found).count == found.count, "no peak is found by two tiles")
        #expect(Set(found) == Set(expected))
    }

    @Test func geometryUsesANearWorkingSlideAsItIs() {
        #expect(SlideGeometry(width: 2220, height: 2967, micronsPerPixel: 0.499, workingMicronsPerPixel: 0.5).scale == 1)
        let g = SlideGeometry(width: 40_000, height: 30_000, micronsPerPixel: 0.25, workingMicronsPerPixel: 0.5)
        #expect(g.scale == 0.5 && g.workingWidth == 20_000 && g.workingHeight == 15_000)
        let l0 = g.levelZero(x: 10, y: 0)
        #expect(l0.x == 20.5 && l0.y == 0.5)
    }

    @Test func tissueMaskFindsTissueOnGlass() {
        var image = Image(width: 200, height: 120, channels: 3, fill: 242)
        for y in 30..<90 { for x in 40..<150 { let i = (y * 200 + x) * 3; image.pixels[i] = 200; image.pixels[i + 1] = 120; image.pixels[i + 2] = 180 } }
        image.pixels[(5 * 200 + 5) * 3] = 60  // a speck of dust
        let t = TissueMask.compute(image, micronsPerPixel: 8)
        #expect(t.mask.bits[60 * 200 + 100] && !t.mask.bits[10 * 200 + 10] && !t.mask.bits[5 * 200 + 5])
        #expect(abs(t.areaMM2 - 110 * 60 * 64e-6) < 0.05)
        #expect(t.hasTissue(x: 100..<120, y: 100..<120, workingMicrons: 0.5) == false)
        #expect(t.hasTissue(x: 1000..<1020, y: 1000..<1020, workingMicrons: 0.5))
    }
}
