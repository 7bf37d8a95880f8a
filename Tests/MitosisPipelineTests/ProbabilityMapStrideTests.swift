import Foundation
import MitosisImage
import Testing
@testable import MitosisPipeline

/// Maps at an output stride (`ProbabilityMapOptions.stride`): the dense pass keeps the leading poolings'
/// strides and computes every stride-th pixel. The reference is the stride-1 dense map: at the grid points
/// the two must agree, and in between the map must be the bilinear interpolation of the reference's
/// log-odds at the four surrounding points.
@Suite struct ProbabilityMapStrideTests {
    typealias F = ProbabilityMapFixtures

    static func logOdds(_ maps: (probability: FloatPlane, complement: FloatPlane), _ x: Int, _ y: Int) -> Float {
        log(maps.probability[x, y]) - log(maps.complement[x, y])
    }

    @Test(arguments: [(2, false), (4, false), (2, true), (8, true)])
    func gridPointsEqualTheFullMap(stride: Int, mirror: Bool) throws {
        let models = [try F.model(seed: 4), try F.model(seed: 5)]
        let image = F.image(width: 27, height: 22, seed: 3)
        let full = try ProbabilityMapper(models: models, options: .init(mirrorAverage: mirror)).mapWithComplement(image: image, mask: nil)
        let coarse = try ProbabilityMapper(models: models, options: .init(mirrorAverage: mirror, maxTile: 12, stride: stride))
            .mapWithComplement(image: image, mask: nil)
        #expect(coarse.probability.width == 27 && coarse.probability.height == 22)
        var checked = 0
        for y in Swift.stride(from: 0, to: 22, by: stride) {
            for x in Swift.stride(from: 0, to: 27, by: stride) {
                #expect(abs(Self.logOdds(coarse, x, y) - Self.logOdds(full, x, y)) < 1e-4, "pixel (\(x), \(y))")
                checked += 1
            }
        }
        #expect(checked == ((22 + stride - 1) / stride) * ((27 + stride - 1) / stride))
    }

    @Test func betweenPointsTheLogOddsAreBilinear() throws {
        let model = try F.model(seed: 6)
        let image = F.image(width: 21, height: 18, seed: 8)
        let s = 4
        let full = try ProbabilityMapper(models: [model]).mapWithComplement(image: image, mask: nil)
        let coarse = try ProbabilityMapper(models: [model], options: .init(stride: s)).mapWithComplement(image: image, mask: nil)
        let spread = full.probability.values.max()! - full.probability.values.min()!
        #expect(spread > 0.001)  // the reference is not flat, so interpolation is tested
        let lastX = (21 - 1) / s * s, lastY = (18 - 1) / s * s
        for (x, y) in [(1, 1), (2, 3), (5, 6), (7, 9), (13, 14), (19, 17), (20, 2), (3, 17)] {
            let x0 = min(x / s * s, lastX), y0 = min(y / s * s, lastY)
            let x1 = min(x0 + s, lastX), y1 = min(y0 + s, lastY)
            let fx: Float = x1 == x0 ? 0 : Float(x - x0) / Float(s), fy: Float = y1 == y0 ? 0 : Float(y - y0) / Float(s)
            let l = { (x: Int, y: Int) in Self.logOdds(full, x, y) }
            let top = l(x0, y0) * (1 - fx) + l(x1, y0) * fx, bottom = l(x0, y1) * (1 - fx) + l(x1, y1) * fx
            let expected = top * (1 - fy) + bottom * fy
            #expect(abs(Self.logOdds(coarse, x, y) - expected) < 1e-4, "pixel (\(x), \(y))")
            #expect(abs(coarse.probability[x, y] + coarse.complement[x, y] - 1) < 1e-6)
        }
    }

    @Test func tilingDoesNotChangeAStridedMap() throws {
        let model = try F.model(seed: 2)
        let image = F.image(width: 30, height: 25, seed: 5)
        let whole = try ProbabilityMapper(models: [model], options: .init(maxTile: 64, stride: 2)).map(image: image, mask: nil)
        let tiled = try ProbabilityMapper(models: [model], options: .init(maxTile: 6, stride: 2)).map(image: image, mask: nil)
        #expect(F.maxDifference(whole, tiled) < 1e-6)
    }

    @Test func aStrideTheNetCannotGiveIsRefused() throws {
        let model = try F.model()
        for stride in [3, 16] {
            #expect {
                _ = try ProbabilityMapper(models: [model], options: .init(stride: stride))
            } throws: { "\($0)".contains("map stride \(stride) is not possible") && "\($0)".contains("1, 2, 4, 8") }
        }
        #expect { _ = try ProbabilityMapper(models: [model], options: .init(mode: .exact, stride: 2)) } throws: { "\($0)".contains("dense mode") }
    }

    @Test func aMaskedStridedMapIsZeroOutsideTheMask() throws {
        let model = try F.model(seed: 7)
        let image = F.image(width: 24, height: 24, seed: 11)
        var mask = Mask(width: 24, height: 24)
        for y in 2..<7 { for x in 3..<8 { mask[x, y] = true } }
        let mapper = try ProbabilityMapper(models: [model], options: .init(maxTile: 8, stride: 2))
        let masked = try mapper.map(image: image, mask: mask)
        let unmasked = try ProbabilityMapper(models: [model], options: .init(maxTile: 8, stride: 2)).map(image: image, mask: nil)
        #expect(mapper.statistics.tilesSkipped > 0)
        for y in 0..<24 {
            for x in 0..<24 {
                if mask[x, y] { #expect(abs(masked[x, y] - unmasked[x, y]) < 1e-6, "(\(x), \(y))") } else { #expect(masked[x, y] == 0) }
            }
        }
    }
}
