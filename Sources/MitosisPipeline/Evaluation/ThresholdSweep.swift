import MitosisData
import MitosisSupport

/// Scored detections and ground truth of one image, in 40x pixel coordinates.
public struct ScoredImage: Sendable, Codable {
    public var name: String
    public var truth: [Point]
    /// Detections found at a low threshold, with their scores (log-odds of the smoothed P(mitosis), as
    /// `MapDetection` and the detection CSVs give them); higher thresholds keep a prefix by score.
    public var detections: [(point: Point, score: Float)] {
        get { zip(points, scores).map { ($0, $1) } }
        set { points = newValue.map(\.point); scores = newValue.map(\.score) }
    }
    public var points: [Point] = []
    /// The detections' scores, in the unit of `detections` (log-odds).
    public var scores: [Float] = []

    public init(name: String, truth: [Point], detections: [(point: Point, score: Float)]) {
        self.name = name
        self.truth = truth
        self.detections = detections
    }

    /// Counts when only detections scoring at least `threshold` (in the scores' unit, log-odds) are kept.
    public func counts(at threshold: Float, radius: Double) -> MatchCounts {
        let kept = zip(points, scores).filter { $0.1 >= threshold }.map(\.0)
        return Matching.counts(truth: truth, detections: kept, radius: radius)
    }
}

/// One point of a precision-recall curve.
public struct OperatingPoint: Sendable, Codable, Equatable {
    /// The lowest score kept, in the detections' unit (log-odds).
    public var threshold: Float
    public var counts: MatchCounts
}

/// Threshold choice and precision-recall curves over a set of images (pooled counts).
///
/// Because the peak detector's output at threshold t is its output at a lower threshold restricted to
/// scores >= t, one detection pass at a low threshold serves every threshold of the sweep.
public enum ThresholdSweep {
    /// Pooled counts at each distinct detection score (descending): the curve's point at threshold t counts
    /// the detections scoring at least t (the same units as the scores: log-odds for `mitosis run`).
    ///
    /// Exact and O(D log D) in the number of detections D (plus a small term per ground-truth neighbourhood):
    /// a detection farther than `radius` from every centre of its image is a false positive at every
    /// threshold, so only each image's few detections near a centre are matched, once per prefix of them by
    /// score; the sweep then walks all scores once, in order, adding up counts. Images are prepared on all
    /// cores. `progress` gets (images prepared, total).
    public static func curve(_ images: [ScoredImage], radius: Double = 30,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) -> [OperatingPoint] {
        let prepared = ParallelMap.map(images) { NearTruth($0, radius: radius) }
        progress?(images.count, images.count)
        // Every detection once, by descending score: (score, image, rank among the image's near-truth
        // detections, or -1 for one far from every centre).
        var events: [(score: Float, image: Int32, rank: Int32)] = []
        events.reserveCapacity(images.reduce(0) { $0 + $1.scores.count })
        for (i, image) in images.enumerated() {
            let ranks = prepared[i].rankOfDetection
            for (j, score) in image.scores.enumerated() { events.append((score, Int32(i), ranks[j])) }
        }
        events.sort { $0.score > $1.score }
        let truthTotal = images.reduce(0) { $0 + $1.truth.count }
        var reached = [Int](repeating: 0, count: images.count)   // near-truth detections kept, per image
        var kept = 0, tp = 0
        var points: [OperatingPoint] = []
        var k = 0
        while k < events.count {
            let score = events[k].score
            while k < events.count, events[k].score == score {
                let e = events[k]
                kept += 1
                if e.rank >= 0 {
                    let i = Int(e.image)
                    let before = prepared[i].truePositives[reached[i]]
                    reached[i] += 1
                    tp += prepared[i].truePositives[reached[i]] - before
                }
                k += 1
            }
            points.append(OperatingPoint(threshold: score, counts: MatchCounts(
                truePositives: tp, falsePositives: kept - tp, falseNegatives: truthTotal - tp)))
        }
        return points
    }

    /// One image's detections within the match radius of a centre, and the true positives when the first
    /// n of them (by descending score) are kept, for every n. Ties in score are ordered by index; the sweep
    /// only reads counts after a whole tie group, so the order within a group does not matter.
    struct NearTruth {
        /// For each detection of the image, its rank among the near-truth detections, or -1.
        var rankOfDetection: [Int32]
        /// `truePositives[n]`: matches of the truth with the first n near-truth detections.
        var truePositives: [Int]

        init(_ image: ScoredImage, radius: Double) {
            let r2 = radius * radius
            var near: [Int] = []
            if !image.truth.isEmpty {
                for (j, p) in image.points.enumerated()
                where image.truth.contains(where: { ($0.x - p.x) * ($0.x - p.x) + ($0.y - p.y) * ($0.y - p.y) <= r2 }) {
                    near.append(j)
                }
            }
            near.sort { (image.scores[$0], -$0) > (image.scores[$1], -$1) }
            rankOfDetection = [Int32](repeating: -1, count: image.points.count)
            for (rank, j) in near.enumerated() { rankOfDetection[j] = Int32(rank) }
            truePositives = [0]
            truePositives.reserveCapacity(near.count + 1)
            var kept: [Point] = []
            for j in near {
                kept.append(image.points[j])
                truePositives.append(Matching.match(truth: image.truth, detections: kept, radius: radius).count)
            }
        }
    }

    /// The threshold with the highest pooled F1 (ties: the higher threshold). Use validation images only.
    public static func best(_ images: [ScoredImage], radius: Double = 30, fallback: Float = 0.5) -> OperatingPoint {
        let points = curve(images, radius: radius)
        var best: OperatingPoint?
        for p in points where (p.counts.f1 ?? 0) > (best?.counts.f1 ?? -1) { best = p }
        return best ?? OperatingPoint(threshold: fallback, counts: images.reduce(MatchCounts()) {
            $0 + $1.counts(at: .infinity, radius: radius)
        })
    }

    /// The middle of the range of scores at which the pooled F1 of `images` is at its best: the midpoint of
    /// the lowest and the highest best-F1 thresholds. Less sensitive than `best` to where exactly one
    /// model's scores fall (`mitosis run` calibrates each fold's model on its own training images with it).
    public static func bestPlateauMiddle(_ images: [ScoredImage], radius: Double = 30, fallback: Float = 0.5) -> Float {
        let points = curve(images, radius: radius)
        guard let top = points.compactMap(\.counts.f1).max(), top > 0 else { return fallback }
        let at = points.filter { $0.counts.f1 == top }.map(\.threshold)
        return (at.min()! + at.max()!) / 2
    }

    /// Each fold's test images scored at the best-F1 threshold of the other folds' images, so no image takes
    /// part in choosing its own threshold (`mitosis run`, and `mitosis evaluate --sweep --folds`).
    public static func crossValidated(_ folds: [(fold: Int, images: [ScoredImage])], radius: Double = 30,
                                      fallback: Float = 0.5) -> [CrossValidatedFold] {
        folds.map { f in
            let validation = folds.filter { $0.fold != f.fold }.flatMap(\.images)
            let threshold = best(validation, radius: radius, fallback: fallback).threshold
            return CrossValidatedFold(fold: f.fold, threshold: threshold,
                                      counts: f.images.reduce(MatchCounts()) { $0 + $1.counts(at: threshold, radius: radius) },
                                      usedFallback: validation.allSatisfy(\.scores.isEmpty))
        }
    }
}

/// One fold scored at a threshold chosen on the other folds (`ThresholdSweep.crossValidated`).
public struct CrossValidatedFold: Sendable, Equatable {
    public var fold: Int
    /// The threshold, in the detections' unit (log-odds).
    public var threshold: Float
    /// Pooled counts of the fold's test images at `threshold`.
    public var counts: MatchCounts
    /// Whether the other folds had no detection to choose from, so `threshold` is the fallback.
    public var usedFallback: Bool
}
