/// A point in original-image (40x) pixel coordinates.
public struct Point: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// Counts of one matching.
public struct MatchCounts: Sendable, Equatable, Codable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives; self.falsePositives = falsePositives; self.falseNegatives = falseNegatives
    }

    /// TP / (TP + FP); nil without detections.
    public var precision: Double? {
        truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives)
    }
    /// TP / (TP + FN); nil without ground truth.
    public var recall: Double? {
        truePositives + falseNegatives == 0 ? nil : Double(truePositives) / Double(truePositives + falseNegatives)
    }
    /// 2TP / (2TP + FP + FN); nil when there is neither ground truth nor a detection (nothing to get wrong).
    public var f1: Double? {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d == 0 ? nil : Double(2 * truePositives) / Double(d)
    }

    public static func + (a: MatchCounts, b: MatchCounts) -> MatchCounts {
        MatchCounts(truePositives: a.truePositives + b.truePositives,
                    falsePositives: a.falsePositives + b.falsePositives,
                    falseNegatives: a.falseNegatives + b.falseNegatives)
    }
}

/// The field's scoring (AMIDA13, TUPAC16, MIDOG): a detection is a true positive when it lies within
/// `radius` (30 px at 40x = 7.5 um) of a ground-truth centre, each centre matching at most one detection.
///
/// Greedy nearest matching: all (centre, detection) pairs within the radius are taken in order of
/// increasing distance (ties: lower centre index, then lower detection index) and a pair is kept when
/// neither point is used yet. Several detections near one mitosis give one TP and FPs for the rest.
public enum Matching {
    /// Index pairs (ground truth, detection) of the matches.
    public static func match(truth: [Point], detections: [Point], radius: Double = 30) -> [(truth: Int, detection: Int)] {
        var pairs: [(d2: Double, t: Int, d: Int)] = []
        let r2 = radius * radius
        for (i, g) in truth.enumerated() {
            for (j, p) in detections.enumerated() {
                let dx = g.x - p.x, dy = g.y - p.y, d2 = dx * dx + dy * dy
                if d2 <= r2 { pairs.append((d2, i, j)) }
            }
        }
        pairs.sort { ($0.d2, $0.t, $0.d) < ($1.d2, $1.t, $1.d) }
        var usedT = Set<Int>(), usedD = Set<Int>()
        var result: [(truth: Int, detection: Int)] = []
        for p in pairs where !usedT.contains(p.t) && !usedD.contains(p.d) {
            usedT.insert(p.t); usedD.insert(p.d)
            result.append((p.t, p.d))
        }
        return result
    }

    /// TP / FP / FN of one image.
    public static func counts(truth: [Point], detections: [Point], radius: Double = 30) -> MatchCounts {
        let tp = match(truth: truth, detections: detections, radius: radius).count
        return MatchCounts(truePositives: tp, falsePositives: detections.count - tp, falseNegatives: truth.count - tp)
    }
}
