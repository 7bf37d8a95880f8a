import Foundation
import Testing
@testable import MitosisImage

/// Macenko stain normalisation against the numpy implementation in
/// scripts/fixtures/make_stain_fixtures.py (fixtures stain_src.bin, stain_out.bin, stain.json).
@Suite struct StainNormalizationTests {
    struct Expected: Decodable {
        var hematoxylin: [Double], eosin: [Double], maxHematoxylin: Double, maxEosin: Double
    }

    @Test func estimateAndOutputMatchTheNumpyImplementation() throws {
        let source = try Fixture.bin("stain_src.bin").image
        let want = try JSONDecoder().decode(Expected.self, from: Data(Fixture.bytes("stain.json")))
        let normalizer = StainNormalizer()
        let basis = try normalizer.estimate(source)
        for k in 0..<3 {
            #expect(abs(basis.hematoxylin[k] - want.hematoxylin[k]) < 1e-6, "hematoxylin \(k)")
            #expect(abs(basis.eosin[k] - want.eosin[k]) < 1e-6, "eosin \(k)")
        }
        #expect(abs(basis.maxHematoxylin - want.maxHematoxylin) < 1e-6)
        #expect(abs(basis.maxEosin - want.maxEosin) < 1e-6)
        let out = try normalizer.normalize(source)
        let expected = try Fixture.bin("stain_out.bin").image
        let worst = zip(out.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 99
        #expect(worst <= 1)
    }

    @Test func eigenvectorsOfASymmetricMatrix() {
        let m: [[Double]] = [[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 1]]
        let (values, vectors) = symmetricEigen(m)
        #expect(values[0] >= values[1] && values[1] >= values[2])
        for (lambda, v) in zip(values, vectors) {
            for r in 0..<3 {
                let mv = m[r][0] * v.x + m[r][1] * v.y + m[r][2] * v.z
                #expect(abs(mv - lambda * v[r]) < 1e-9)
            }
            #expect(abs((v * v).sum() - 1) < 1e-9)
        }
    }

    /// Two renderings of the same tissue in different stains come out much closer after normalisation.
    @Test func normalisationBringsDifferentStainingsTogether() throws {
        func render(h: SIMD3<Double>, e: SIMD3<Double>, strength: Double) -> Image {
            var pixels: [UInt8] = []
            for y in 0..<64 { for x in 0..<64 {
                let dx = Double(x % 16) - 7.5, dy = Double(y % 16) - 7.5
                // Nuclei (hematoxylin, a trace of eosin) on stroma (eosin only, dense enough to pass the OD
                // threshold in every channel): Macenko assumes nearly pure pixels of each stain exist.
                let inside = dx * dx + dy * dy < 25
                let hem = inside ? (0.8 + 0.6 * Double(y % 16) / 15) * strength : 0
                let eos = inside ? 0.03 : (0.8 + 0.3 * sin(Double(x) / 5)) * strength
                for k in 0..<3 { pixels.append(UInt8((240 * exp(-(hem * h[k] + eos * e[k]))).rounded())) }
            } }
            return Image(width: 64, height: 64, channels: 3, pixels: pixels)
        }
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        let a = render(h: unit(SIMD3(0.65, 0.70, 0.29)), e: unit(SIMD3(0.20, 0.90, 0.38)), strength: 1)
        let b = render(h: unit(SIMD3(0.45, 0.80, 0.45)), e: unit(SIMD3(0.25, 0.85, 0.45)), strength: 1.3)
        func distance(_ p: Image, _ q: Image) -> Double {
            Double(zip(p.pixels, q.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(p.pixels.count)
        }
        let n = StainNormalizer()
        let before = distance(a, b), after = try distance(n.normalize(a), n.normalize(b))
        #expect(after < before / 3, "mean |difference| \(before) before, \(after) after")
    }

    @Test func blankImageIsAClearError() {
        let glass = Image(width: 32, height: 32, channels: 3, pixels: [UInt8](repeating: 238, count: 32 * 32 * 3))
        #expect(throws: StainNormalizer.Failure.tooLittleTissue(pixels: 0)) { try StainNormalizer().estimate(glass) }
    }
}
