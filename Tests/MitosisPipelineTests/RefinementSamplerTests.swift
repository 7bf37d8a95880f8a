import MitosisImage
import Testing
@testable import MitosisPipeline

@Suite struct RefinementSamplerTests {
    func inputs() -> PatchExtractor.Inputs {
        var img = Image(width: 60, height: 50, channels: 3)
        for i in img.pixels.indices { img.pixels[i] = UInt8(i % 251) }
        var pos = Mask(width: 60, height: 50)
        pos[10, 10] = true; pos[11, 10] = true
        return .init(image: img, positives: pos, candidates: Mask(width: 60, height: 50, fill: true))
    }

    @Test func countsAnglesAndHardNegatives() {
        var prob = FloatPlane(width: 60, height: 50)
        prob[40, 30] = 0.9   // one hard negative
        prob[45, 40] = 0.1   // one mild one
        prob[12, 10] = 1.0   // inside the exclusion zone: never drawn
        var sampler = RefinementSampler(options: PatchOptions())
        sampler.pixelsPerImage = 202
        let patches = sampler.extract(inputs(), probability: prob, stream: 3)
        let pos = patches.filter { $0.label == 1 }, neg = patches.filter { $0.label == 0 }
        #expect(pos.count == 2 * 24)
        #expect(Set(pos.map(\.angle)).count == 24)
        #expect(neg.count == 200 * 4)
        let drawn = neg.filter { $0.angle == 0 }
        let hard = drawn.filter { $0.x == 40 && $0.y == 30 }.count
        let mild = drawn.filter { $0.x == 45 && $0.y == 40 }.count
        #expect(hard + mild == 200, "only pixels with P > 0 are drawn")
        #expect(hard > 150 && mild > 5, "draws follow P: \(hard) vs \(mild)")
        #expect(Set(drawn.map(\.index)) == Set(1...200))
    }

    @Test func uniformWhenTheMapIsEmptyAndSeeded() {
        var sampler = RefinementSampler(options: PatchOptions())
        sampler.pixelsPerImage = 52
        let prob = FloatPlane(width: 60, height: 50)
        let a = sampler.extract(inputs(), probability: prob, stream: 1)
        let b = sampler.extract(inputs(), probability: prob, stream: 1)
        #expect(a == b)
        let spots = Set(a.filter { $0.label == 0 }.map { "\($0.x),\($0.y)" })
        #expect(spots.count > 30)
        for n in a where n.label == 0 { #expect(max(abs(Int(n.x) - 10), abs(Int(n.y) - 10)) > 10 || Int(n.x) > 21) }
    }

    @Test func perImageCountScalesWithAreaWhenAReferenceIsSet() {
        var sampler = RefinementSampler(options: PatchOptions())
        #expect(sampler.pixels(width: 500, height: 500) == 3636, "the author's fixed count by default")
        sampler.referenceArea = 1_000_000
        #expect(sampler.pixels(width: 1000, height: 1000) == 3636)
        #expect(sampler.pixels(width: 500, height: 500) == 909)
        sampler.pixelsPerImage = 202
        sampler.referenceArea = 6000           // the 60x50 test image is half of it: 101 pixels
        let patches = sampler.extract(inputs(), probability: FloatPlane(width: 60, height: 50), stream: 2)
        #expect(patches.filter { $0.label == 0 }.count == (101 - 2) * 4)
    }

    @Test func balancedNegativesNeverFallBelowThePositivePatches() {
        var sampler = RefinementSampler(options: PatchOptions())
        #expect(sampler.negativeCount(width: 100, height: 100, positives: 5000) == 0, "the author's rule")
        sampler.balanceNegatives = true
        #expect(sampler.negativeCount(width: 100, height: 100, positives: 100) == 3536, "the share when it is larger")
        #expect(sampler.negativeCount(width: 100, height: 100, positives: 5000) == 30000, "5000 x 24 / 4")
        sampler.pixelsPerImage = 10
        let patches = sampler.extract(inputs(), probability: FloatPlane(width: 60, height: 50), stream: 4)
        #expect(patches.filter { $0.label == 0 }.count == patches.filter { $0.label == 1 }.count, "2 x 24 positives, 12 x 4 negatives")
    }
}
