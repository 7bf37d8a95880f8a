import Foundation
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// The sweep against its definition: at every threshold, match each image again with only the detections
/// scoring at least that much (`ScoredImage.counts(at:)`, the pre-sweep code path, quadratic in D).
@Suite struct ThresholdSweepTests {
    static func naiveCurve(_ images: [ScoredImage], radius: Double) -> [OperatingPoint] {
        Array(Set(images.flatMap(\.scores))).sorted(by: >).map { t in
            OperatingPoint(threshold: t, counts: images.reduce(MatchCounts()) { $0 + $1.counts(at: t, radius: radius) })
        }
    }

    /// Images with crowded detections around the centres (several within the radius, competing for the
    /// same centre, with tied scores) and many far from any.
    static func randomImages(count: Int, detections: Int, seed: UInt64, levels: Int = 40) -> [ScoredImage] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in
            let truth = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                Point(x: Double.random(in: 0...400, using: &rng), y: Double.random(in: 0...400, using: &rng))
            }
            var dets: [(point: Point, score: Float)] = []
            for _ in 0..<detections {
                let score = Float(Int.random(in: 0..<levels, using: &rng)) / Float(levels)   // many ties
                if let c = truth.randomElement(using: &rng), Bool.random(using: &rng) {
                    dets.append((Point(x: c.x + Double.random(in: -40...40, using: &rng), y: c.y + Double.random(in: -40...40, using: &rng)), score))
                } else {
                    dets.append((Point(x: Double.random(in: 0...400, using: &rng), y: Double.random(in: 0...400, using: &rng)), score))
                }
            }
            return ScoredImage(name: "i\(i)", truth: truth, detections: dets)
        }
    }

    @Test(arguments: [(1, 3), (7, 11), (20, 30), (3, 120)])
    func curveEqualsMatchingAtEveryThreshold(seedAndDetections: (Int, Int)) {
        let (seed, n) = seedAndDetections
        let images = Self.randomImages(count: 12, detections: n, seed: UInt64(seed))
        for radius in [30.0, 12] {
            #expect(ThresholdSweep.curve(images, radius: radius) == Self.naiveCurve(images, radius: radius))
        }
    }

    @Test func aCloserLaterDetectionCanTakeACentreAndFreeAnother() {
        // Truth A at 0 and B at 55; detection d1 (score 0.9) at 26 matches A (26, nearer than B's 29) alone;
        // with d2 (0.5) at 0, d2 takes A (distance 0) and d1 goes to B: the matching changes, TP 1 -> 2.
        let image = ScoredImage(name: "x", truth: [Point(x: 0, y: 0), Point(x: 55, y: 0)],
                                detections: [(Point(x: 26, y: 0), 0.9), (Point(x: 0, y: 0), 0.5)])
        let curve = ThresholdSweep.curve([image])
        #expect(curve.map(\.threshold) == [0.9, 0.5])
        #expect(curve.map(\.counts) == [MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 1),
                                         MatchCounts(truePositives: 2, falsePositives: 0, falseNegatives: 0)])
        #expect(curve == Self.naiveCurve([image], radius: 30))
    }

    @Test func emptyInputsGiveAnEmptyCurve() {
        #expect(ThresholdSweep.curve([]).isEmpty)
        let noDetections = ScoredImage(name: "n", truth: [Point(x: 1, y: 1)], detections: [])
        #expect(ThresholdSweep.curve([noDetections]).isEmpty)
        #expect(ThresholdSweep.best([noDetections]).threshold == 0.5)
    }

    /// The size of a real held-out sweep (issue: 83,677 peaks in 393 frames holding 743 mitoses), where
    /// the quadratic code ran for over 20 minutes. Checked at a sample of thresholds against the definition.
    /// Alone it takes about 1 s in debug; the limit only guards against a return to the quadratic code,
    /// with room for a parallel test run that starves it (a 1-minute limit was once exceeded in CI after
    /// 319 s of waiting). Its speed is measured by `sweep-bench` (Benchmarks).
    @Test(.timeLimit(.minutes(10))) func aRealSizedSweepIsExact() {
        var rng = SeededRandom(seed: 9)
        let images = (0..<393).map { i -> ScoredImage in
            let truth = (0..<2).map { _ in Point(x: Double.random(in: 0...1663, using: &rng), y: Double.random(in: 0...1485, using: &rng)) }
            let dets = (0..<213).map { k -> (point: Point, score: Float) in
                let near = k < 3
                let c = truth[k % 2]
                let p = near ? Point(x: c.x + Double.random(in: -20...20, using: &rng), y: c.y + Double.random(in: -20...20, using: &rng))
                             : Point(x: Double.random(in: 0...1663, using: &rng), y: Double.random(in: 0...1485, using: &rng))
                return (p, Float.random(in: -12...12, using: &rng))
            }
            return ScoredImage(name: "f\(i)", truth: truth, detections: dets)
        }
        let curve = ThresholdSweep.curve(images)
        #expect(curve.count == Set(images.flatMap(\.scores)).count)
        #expect(curve.count > 80_000)
        for k in stride(from: 0, to: curve.count, by: curve.count / 7) + [curve.count - 1] {
            let t = curve[k].threshold
            #expect(curve[k].counts == images.reduce(MatchCounts()) { $0 + $1.counts(at: t, radius: 30) }, "at \(t)")
        }
        let best = ThresholdSweep.best(images)
        #expect(best.counts.truePositives > 0)
    }
}
