import Foundation
import MitosisImage
import MitosisSupport
import Testing
@testable import MitosisPipeline

@Suite struct PeakDetectorTests {
    /// Adds a Gaussian bump of height `value` and width `sigma` (a unique maximum at its centre).
    func blob(_ plane: inout FloatPlane, x: Int, y: Int, sigma: Float, value: Float) {
        for yy in 0..<plane.height { for xx in 0..<plane.width {
            let d2 = Float((xx - x) * (xx - x) + (yy - y) * (yy - y))
            plane[xx, yy] += value * expf(-d2 / (2 * sigma * sigma))
        } }
    }

    @Test func findsBlobCentresInScoreOrder() {
        var p = FloatPlane(width: 80, height: 60)
        blob(&p, x: 20, y: 20, sigma: 8, value: 1.0)
        blob(&p, x: 60, y: 40, sigma: 8, value: 0.8)
        blob(&p, x: 60, y: 8, sigma: 1.5, value: 0.9)  // small: its disk mean stays below the threshold
        let d = PeakDetector(smoothingRadius: 6, clearingRadius: 12, threshold: 0.4).detect(p)
        #expect(d.count == 2)
        #expect(d[0].x == 20 && d[0].y == 20)
        #expect(d[1].x == 60 && d[1].y == 40)
        #expect(d[0].score > d[1].score)
    }

    @Test func logOddsDetectionMatchesProbabilityDetectionAndScoresItsLogOdds() {
        // A moderate map: the log-odds path must find the same peaks in the same order, scored ln(sP / (1 - sP)).
        var rng = SeededRandom(seed: 5)
        var p = FloatPlane(width: 70, height: 50)
        for i in p.values.indices { p.values[i] = 0.02 + 0.1 * Float(rng.unit()) }
        blob(&p, x: 15, y: 20, sigma: 6, value: 0.85)
        blob(&p, x: 50, y: 30, sigma: 5, value: 0.7)
        let logOdds = FloatPlane(width: 70, height: 50, values: p.values.map { logf($0) - logf(1 - $0) })
        let detector = PeakDetector(smoothingRadius: 4, clearingRadius: 10, threshold: 0.3)
        let direct = detector.detect(p), precise = detector.detect(logOdds: logOdds)
        #expect(direct.count == 2 && precise.count == 2)
        #expect(precise.map(\.x) == direct.map(\.x) && precise.map(\.y) == direct.map(\.y))
        for (a, b) in zip(direct, precise) {
            #expect(abs(b.score - (logf(a.score) - logf(1 - a.score))) < 2e-3, "\(b.score) vs P \(a.score)")
        }
    }

    @Test func logOddsKeepTheOrderWhereProbabilityRoundsToOne() {
        // Two plateaus whose P is 1 in single precision (log-odds 20 and 30) and one at log-odds 5.
        var l = FloatPlane(width: 90, height: 30, fill: -8)
        for (cx, value) in [(15, Float(20)), (45, 30), (75, 5)] {
            for y in 10..<21 { for x in (cx - 5)...(cx + 5) where (x - cx) * (x - cx) + (y - 15) * (y - 15) <= 25 { l[x, y] = value } }
        }
        #expect(1 / (1 + expf(-20)) == 1, "the premise: P rounds to 1")
        let found = PeakDetector(smoothingRadius: 3, clearingRadius: 12, threshold: 0.5).detect(logOdds: l)
        #expect(found.count == 3)
        #expect(found.map(\.x).map { $0 / 30 } == [1, 0, 2], "ordered 30, 20, 5: \(found)")
        #expect(abs(found[0].score - 30) < 0.01 && abs(found[1].score - 20) < 0.01 && abs(found[2].score - 5) < 0.01)
        // The threshold is a probability: P = 0.999 (log-odds 6.9) keeps the two plateaus only.
        #expect(PeakDetector(smoothingRadius: 3, clearingRadius: 12, threshold: 0.999).detect(logOdds: l).count == 2)
    }

    @Test func screenedLogOddsDetectionEqualsSummingEveryDisk() {
        // Random maps with blobs cut by the borders, plateaus whose P rounds to 1, and flat background: the
        // screened pass (summed-area bound) must give exactly the detections and scores of the full pass.
        var rng = SeededRandom(seed: 11)
        var peaksAtHalf = 0
        for trial in 0..<6 {
            let w = 61 + 17 * trial, h = 47 + 9 * trial
            var p = FloatPlane(width: w, height: h)
            for i in p.values.indices { p.values[i] = 0.001 + 0.05 * Float(rng.unit()) }
            for _ in 0..<(3 + trial) {
                blob(&p, x: Int(rng.unit() * Double(w)), y: Int(rng.unit() * Double(h)),
                     sigma: 2 + 6 * Float(rng.unit()), value: 0.4 + 0.55 * Float(rng.unit()))
            }
            var l = FloatPlane(width: w, height: h, values: p.values.map { logf(min($0, 0.999)) - logf(1 - min($0, 0.999)) })
            for y in 0..<min(h, 6) { for x in 0..<min(w, 7) { l[x, y] = 25 + Float(trial) } }  // a confident corner
            for threshold: Float in [0.02, 0.3, 0.5, 0.8, 0.999] {
                for radius in [0, 3, 6] {
                    let detector = PeakDetector(smoothingRadius: radius, clearingRadius: 10, threshold: threshold)
                    let screened = detector.detect(logOdds: l), full = detector.detect(logOdds: l, screen: false)
                    #expect(screened == full, "trial \(trial), threshold \(threshold), radius \(radius)")
                    if threshold == 0.5 { peaksAtHalf += full.count }
                }
            }
        }
        #expect(peaksAtHalf >= 20, "the maps must hold peaks above P 0.5 (a blob or the corner each): \(peaksAtHalf)")
    }

    @Test func clearingRadiusSuppressesNeighbours() {
        var p = FloatPlane(width: 40, height: 40)
        p[10, 10] = 1.0; p[14, 10] = 0.9; p[30, 10] = 0.8
        let near = PeakDetector(smoothingRadius: 0, clearingRadius: 6, threshold: 0.1).peaks(p)
        #expect(near.map(\.x) == [10, 30])
        let tight = PeakDetector(smoothingRadius: 0, clearingRadius: 3, threshold: 0.1).peaks(p)
        #expect(tight.map(\.x) == [10, 14, 30])
    }

    @Test func higherThresholdKeepsAPrefix() {
        var rng = SeededRandom(seed: 3)
        var p = FloatPlane(width: 64, height: 64)
        for i in p.values.indices { p.values[i] = Float(rng.unit()) }
        let low = PeakDetector(smoothingRadius: 2, clearingRadius: 5, threshold: 0.3).detect(p)
        let high = PeakDetector(smoothingRadius: 2, clearingRadius: 5, threshold: 0.55).detect(p)
        #expect(high == low.filter { $0.score >= 0.55 })
        #expect(!high.isEmpty && high.count < low.count)
    }

    @Test func diskMeanMatchesDirectSum() {
        var rng = SeededRandom(seed: 9)
        var p = FloatPlane(width: 23, height: 17)
        for i in p.values.indices { p.values[i] = Float(rng.unit()) }
        let r = 4
        let m = DiskFilter.mean(p, radius: r)
        for y in [0, 3, 8, 16] {
            for x in [0, 5, 11, 22] {
                var s = 0.0, n = 0
                for dy in -r...r { for dx in -r...r where dx * dx + dy * dy <= r * r {
                    let xx = x + dx, yy = y + dy
                    if xx >= 0, yy >= 0, xx < 23, yy < 17 { s += Double(p[xx, yy]); n += 1 }
                } }
                #expect(abs(Double(m[x, y]) - s / Double(n)) < 1e-5)
            }
        }
    }
}
