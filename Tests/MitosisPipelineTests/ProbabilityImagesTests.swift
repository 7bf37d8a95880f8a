import Foundation
import MitosisImage
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// The `_prob.png` / `_class.png` encoding of probability maps (moved out of the visuals tests, since the
/// maps belong to the pipeline).
@Suite struct ProbabilityImagesTests {
    @Test func probImageEncodingRoundTrips() throws {
        let values: [Float] = [0, 1, 0.5, 0.25, 0.999, 0.0001, 128 / 255, 0.73]
        let plane = FloatPlane(width: 4, height: 2, values: values)
        let prob = ProbabilityImages.probImage(plane)
        #expect(prob.channels == 3)
        for i in 0..<values.count {
            let r = Int(prob.pixels[3 * i]), g = Int(prob.pixels[3 * i + 1]), b = prob.pixels[3 * i + 2]
            #expect(g == Int((values[i] * 255).rounded()) && b == 0)
            #expect(abs(r + g - 255) <= 1, "R = P(not mitosis) and G = P(mitosis) must sum to 255")
        }
        // Through a PNG file and back.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vis-prob-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try ProbabilityImages.write(plane, base: dir + "/01_01")
        let decoded = try ProbabilityImages.probability(fromProbImage: try ImageIO.read(paths.prob))
        for (a, b) in zip(decoded.values, values) { #expect(abs(a - b) <= 0.5 / 255 + 1e-6) }
        let cls = try ImageIO.read(paths.class)
        #expect(cls.channels == 1)
        #expect(cls.pixels == values.map { $0 > 0.5 ? 255 : 0 })
    }

    @Test func probImageDecodingNeedsColour() {
        #expect(throws: PipelineError.self) {
            try ProbabilityImages.probability(fromProbImage: Image(width: 2, height: 2, channels: 1))
        }
    }
}
