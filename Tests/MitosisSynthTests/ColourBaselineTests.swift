import MitosisImage
import Testing
@testable import MitosisSynth

/// A synthetic cohort is only a fair test of a detector if colour alone cannot find the mitoses: dark
/// look-alikes (lymphocytes, pyknotic nuclei, apoptotic bodies, hyperchromatic nuclei) must defeat a
/// blue-ratio or darkness threshold followed by blob detection, even with the threshold and blob-size
/// window chosen with hindsight (the best F1 over a sweep).
@Suite struct ColourBaselineTests {
    /// 512x512 fields at the tutorial's mitosis density per area would hold ~0.12 mitoses each; the rate
    /// is raised to 3 per field (about 25 times denser than real) so there is enough truth to score. That
    /// makes the baseline's job easier, not harder: fewer look-alikes per mitosis.
    static let spec = CohortSpec(patients: 6, imagesPerPatient: 1, width: 512, height: 512, seed: 31,
                                 mitosesPerImage: 3)
    static let images = (1...spec.patients).map { SyntheticCohort.generateImage(spec, patient: $0, index: 1) }

    static func bestF1(feature: (Image) -> [Float]) -> (f1: Double, setting: String) {
        let features = images.map { feature($0.0) }
        var best = (f1: 0.0, setting: "")
        // Thresholds at upper percentiles of the pooled feature (dark / blue pixels are a few percent).
        let pooled = features.flatMap { f in stride(from: 0, to: f.count, by: 7).map { f[$0] } }.sorted()
        for q in [0.9, 0.95, 0.975, 0.988, 0.995] {
            let threshold = pooled[Int(Double(pooled.count) * q)]
            for areas in [20...100_000, 60...2_000, 150...1_200, 300...1_000] {
                var total = (tp: 0, fp: 0, fn: 0)
                for (k, item) in images.enumerated() {
                    let found = Baseline.blobs(features[k], width: spec.width, height: spec.height,
                                               threshold: threshold, areas: areas)
                    let c = Baseline.match(truth: item.1, detections: found)
                    total = (total.tp + c.tp, total.fp + c.fp, total.fn + c.fn)
                }
                let f1 = Baseline.f1(total)
                if f1 > best.f1 { best = (f1, "q\(q) areas \(areas) -> \(total)") }
            }
        }
        return best
    }

    @Test func thereIsEnoughTruthToScore() {
        #expect(Self.images.reduce(0) { $0 + $1.1.count } >= 10)
    }

    @Test func blueRatioThresholdDoesNotFindMitoses() {
        let best = Self.bestF1(feature: Baseline.blueRatio)
        #expect(best.f1 < 0.8, "blue-ratio baseline reached F1 \(best.f1) (\(best.setting))")
    }

    @Test func darknessThresholdDoesNotFindMitoses() {
        let best = Self.bestF1(feature: Baseline.darkness)
        #expect(best.f1 < 0.8, "darkness baseline reached F1 \(best.f1) (\(best.setting))")
    }
}
