import Dispatch
import Foundation
import MitosisImage
import MitosisSupport

/// A detected mitosis: position in the probability map's pixels and its smoothed score.
public struct Detection: Sendable, Equatable, Codable {
    /// Column and row at the map's resolution (0-based pixel indices).
    public var x: Int
    public var y: Int
    /// The peak's score: the smoothed P(mitosis) (0...1) from `detect(_:)`, its log-odds from
    /// `detect(logOdds:)` (see `MapDetection`, which always gives log-odds).
    public var score: Float
    public init(x: Int, y: Int, score: Float) { self.x = x; self.y = y; self.score = score }
}

/// Mitosis centres from a probability map, as the tutorial's `step5_identify_peak_in_probs.m` finds them.
///
/// P(mitosis) is averaged over a disk (radius `smoothingRadius`, the tutorial's 6), then the maximum is taken
/// while it exceeds `threshold`, and a disk of `clearingRadius` around each taken maximum is zeroed.
/// Implementation: the smoothed pixels above the threshold are sorted by score (ties by row-major position)
/// and each is accepted unless it lies within the clearing radius of an accepted one — the same set, in the
/// same order, as the repeated global maximum. A consequence used by threshold selection: the detections
/// at threshold t are exactly those at any lower threshold whose score is >= t.
public struct PeakDetector: Sendable, Equatable, Codable {
    public var smoothingRadius = 6
    /// Pixels at the map's resolution; 15 at 20x equals the 30 px match radius at 40x (one peak per anaphase).
    public var clearingRadius = 15
    /// Smallest smoothed P(mitosis) of a detection: a probability (0...1), also for `detect(logOdds:)`.
    public var threshold: Float = 0.5

    public init(smoothingRadius: Int = 6, clearingRadius: Int = 15, threshold: Float = 0.5) {
        self.smoothingRadius = smoothingRadius
        self.clearingRadius = clearingRadius
        self.threshold = threshold
    }

    /// Detections in descending score order.
    public func detect(_ probability: FloatPlane) -> [Detection] {
        let smooth = DiskFilter.mean(probability, radius: smoothingRadius)
        return peaks(smooth)
    }

    /// The same peaks, ranked and scored by the log-odds of the disk-smoothed P(mitosis), from a log-odds map
    /// (`<name>_logodds.tif`). The smoothing is still of P, as the tutorial's, but it is done on P and on
    /// 1 - P separately in double precision, so that confident peaks, whose smoothed P rounds to 1 in single
    /// precision, keep their order. `score` is ln(sP / (1 - sP)); `threshold` stays a probability.
    ///
    /// `screen` (the default) computes that exact disk sum only where it can reach the threshold: a summed-area
    /// table bounds each disk's sum of P by its bounding square's, and a pixel whose bound stays below the
    /// threshold (with a margin far above the table's rounding) cannot be a detection. The detections are the
    /// same as `screen: false`, which sums every pixel's disk (the test compares both).
    public func detect(logOdds: FloatPlane, screen: Bool = true) -> [Detection] {
        let w = logOdds.width, h = logOdds.height, r = max(smoothingRadius, 0)
        let minimum = MapDetection.logOdds(threshold: threshold)
        let p = logOdds.values.map { 1 / (1 + exp(-Double($0))) }, q = logOdds.values.map { 1 / (1 + exp(Double($0))) }
        let halves = (0...r).map { Int(Double(r * r - $0 * $0).squareRoot()) }
        // The table's rounding (a few ulps of sums up to w * h) must stay far below the margin (0.01 in
        // log-odds, i.e. 1 % of the smallest sum that can reach the threshold); otherwise every pixel is summed.
        let roundoff = 1e-15 * Double(max(w * h, 1))
        let table = screen && 0.005 / (1 + exp(-Double(minimum))) > roundoff ? SummedArea(p, width: w, height: h) : nil
        let interiorTaps = halves.enumerated().reduce(0) { $0 + ($1.offset == 0 ? 1 : 2) * (2 * $1.element + 1) }
        let out = _ScoreBuffer(count: w * h)
        defer { out.base.deallocate() }
        p.withUnsafeBufferPointer { pb in
            q.withUnsafeBufferPointer { qb in
                ParallelChunks.forEach(h, costPerItem: w * interiorTaps, maxChunks: 8) { band in
                    for y in band {
                        let rows = max(-r, -y)...min(r, h - 1 - y)
                        for x in 0..<w {
                            if let table {
                                var taps = interiorTaps
                                if x < r || y < r || x + r >= w || y + r >= h {
                                    taps = 0
                                    for dy in rows { let half = halves[abs(dy)]; taps += min(w - 1, x + half) - max(0, x - half) + 1 }
                                }
                                let bound = table.sum(rows: (y + rows.lowerBound)...(y + rows.upperBound),
                                                      columns: max(0, x - r)...min(w - 1, x + r))
                                let n = Double(taps)
                                if bound < n, log(max(bound, 1e-300)) - log(n - bound) < Double(minimum) - 0.01 {
                                    out.base[y * w + x] = -1000
                                    continue
                                }
                            }
                            var sp = 0.0, sq = 0.0
                            for dy in rows {
                                let half = halves[abs(dy)], row = (y + dy) * w
                                for xx in max(0, x - half)...min(w - 1, x + half) { sp += pb[row + xx]; sq += qb[row + xx] }
                            }
                            let v = log(sp) - log(sq)
                            out.base[y * w + x] = Float(v.isNaN ? 0 : min(1000, max(-1000, v)))
                        }
                    }
                }
            }
        }
        let score = FloatPlane(width: w, height: h, values: Array(UnsafeBufferPointer(start: out.base, count: w * h)))
        return peaks(score, minimum: minimum)
    }

    /// The iterative maximum on an already smoothed map.
    public func peaks(_ smooth: FloatPlane) -> [Detection] {
        peaks(smooth, minimum: max(threshold, Float.leastNonzeroMagnitude))
    }

    /// The iterative maximum over the pixels whose value is at least `minimum`.
    public func peaks(_ smooth: FloatPlane, minimum t: Float) -> [Detection] {
        var candidates: [(score: Float, index: Int)] = []
        for (i, v) in smooth.values.enumerated() where v >= t { candidates.append((v, i)) }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        let w = smooth.width, h = smooth.height, r = clearingRadius
        var cleared = [Bool](repeating: false, count: w * h)
        var found: [Detection] = []
        for c in candidates where !cleared[c.index] {
            let x = c.index % w, y = c.index / w
            found.append(Detection(x: x, y: y, score: c.score))
            for dy in max(-r, -y)...min(r, h - 1 - y) {
                let half = Int(Double(r * r - dy * dy).squareRoot())
                let row = (y + dy) * w
                for xx in max(0, x - half)...min(w - 1, x + half) { cleared[row + xx] = true }
            }
        }
        return found
    }
}

/// Rows of the score plane written by `concurrentPerform` workers (each row by one worker). Not API.
private struct _ScoreBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    init(count: Int) { base = .allocate(capacity: max(count, 1)); base.initialize(repeating: 0, count: max(count, 1)) }
}

/// Sums of a plane over rectangles in O(1): entry (y + 1) * (w + 1) + x + 1 is the sum of the values in rows
/// 0...y and columns 0...x. Not API.
struct SummedArea {
    let width: Int
    let table: [Double]
    init(_ values: [Double], width w: Int, height h: Int) {
        var t = [Double](repeating: 0, count: (w + 1) * (h + 1))
        for y in 0..<h {
            var row = 0.0
            for x in 0..<w {
                row += values[y * w + x]
                t[(y + 1) * (w + 1) + x + 1] = t[y * (w + 1) + x + 1] + row
            }
        }
        width = w; table = t
    }
    func sum(rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> Double {
        let s = width + 1
        let a = table[(rows.upperBound + 1) * s + columns.upperBound + 1], b = table[rows.lowerBound * s + columns.upperBound + 1]
        let c = table[(rows.upperBound + 1) * s + columns.lowerBound], d = table[rows.lowerBound * s + columns.lowerBound]
        return a - b - c + d
    }
}

/// Mean over a disk of integer radius (`x^2 + y^2 <= r^2`), clipped at the borders (the mean is over the
/// taps inside the image, so borders are not darkened).
public enum DiskFilter {
    public static func mean(_ plane: FloatPlane, radius r: Int) -> FloatPlane {
        guard r > 0 else { return plane }
        let w = plane.width, h = plane.height
        // Row prefix sums make each disk row an O(1) interval sum.
        var prefix = [Double](repeating: 0, count: (w + 1) * h)
        for y in 0..<h {
            var acc = 0.0
            for x in 0..<w { acc += Double(plane.values[y * w + x]); prefix[y * (w + 1) + x + 1] = acc }
        }
        let halves = (0...r).map { Int(Double(r * r - $0 * $0).squareRoot()) }
        var out = FloatPlane(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0.0, n = 0
                for dy in max(-r, -y)...min(r, h - 1 - y) {
                    let half = halves[abs(dy)]
                    let lo = max(0, x - half), hi = min(w - 1, x + half)
                    let row = (y + dy) * (w + 1)
                    sum += prefix[row + hi + 1] - prefix[row + lo]
                    n += hi - lo + 1
                }
                out.values[y * w + x] = Float(sum / Double(n))
            }
        }
        return out
    }
}
