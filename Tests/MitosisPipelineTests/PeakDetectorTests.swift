import Foundation
import MitosisImage
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
        for i in p.values.indices { p.values[i] = Float(rng.nextUnit()) }
        let low = PeakDetector(smoothingRadius: 2, clearingRadius: 5, threshold: 0.3).detect(p)
        let high = PeakDetector(smoothingRadius: 2, clearingRadius: 5, threshold: 0.55).detect(p)
        #expect(high == low.filter { $0.score >= 0.55 })
        #expect(!high.isEmpty && high.count < low.count)
    }

    @Test func diskMeanMatchesDirectSum() {
        var rng = SeededRandom(seed: 9)
        var p = FloatPlane(width: 23, height: 17)
        for i in p.values.indices { p.values[i] = Float(rng.nextUnit()) }
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
