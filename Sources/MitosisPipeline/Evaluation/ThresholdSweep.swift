/// Scored detections and ground truth of one image, in 40x pixel coordinates.
public struct ScoredImage: Sendable, Codable {
    public var name: String
    public var truth: [Point]
    /// Detections found at a low threshold, with their scores; higher thresholds keep a prefix by score.
    public var detections: [(point: Point, score: Float)] {
        get { zip(points, scores).map { ($0, $1) } }
        set { points = newValue.map(\.point); scores = newValue.map(\.score) }
    }
    public var points: [Point] = []
    public var scores: [Float] = []

    public init(name: String, truth: [Point], detections: [(point: Point, score: Float)]) {
        self.name = name
        self.truth = truth
        self.detections = detections
    }

    /// Counts when only detections scoring at least `threshold` are kept.
    public func counts(at threshold: Float, radius: Double) -> MatchCounts {
        let kept = zip(points, scores).filter { $0.1 >= threshold }.map(\.0)
        return Matching.counts(truth: truth, detections: kept, radius: radius)
    }
}

/// One point of a precision-recall curve.
public struct OperatingPoint: Sendable, Codable, Equatable {
    public var threshold: Float
    public var counts: MatchCounts
}

/// Threshold choice and precision-recall curves over a set of images (pooled counts).
///
/// Because the peak detector's output at threshold t is its output at a lower threshold restricted to
/// scores >= t, one detection pass at a low threshold serves every threshold of the sweep.
public enum ThresholdSweep {
    /// Pooled counts at each distinct detection score (descending), plus the empty end point.
    public static func curve(_ images: [ScoredImage], radius: Double = 30) -> [OperatingPoint] {
        let thresholds = Array(Set(images.flatMap(\.scores))).sorted(by: >)
        return thresholds.map { t in
            OperatingPoint(threshold: t, counts: images.reduce(MatchCounts()) { $0 + $1.counts(at: t, radius: radius) })
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
    public var threshold: Float
    /// Pooled counts of the fold's test images at `threshold`.
    public var counts: MatchCounts
    /// Whether the other folds had no detection to choose from, so `threshold` is the fallback.
    public var usedFallback: Bool
}
