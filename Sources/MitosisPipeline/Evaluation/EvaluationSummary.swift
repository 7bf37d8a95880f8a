import MitosisData
import Foundation

/// One image to evaluate: its ground-truth centres and scored detections, in 40x pixels.
public struct EvaluationImage: Sendable {
    public var name: String
    /// Patient id (the part of a `PP_II` name before the underscore); images are summed per patient.
    public var patient: String
    /// The fold whose test patients include this image's patient (nil: counted in the totals only).
    public var fold: Int?
    public var truth: [Point]
    public var detections: [(point: Point, score: Float)]
    /// Whether a detection file was found; without one, every centre of the image is a false negative.
    public var detectionFile: Bool

    public init(name: String, patient: String, fold: Int? = nil, truth: [Point],
                detections: [(point: Point, score: Float)] = [], detectionFile: Bool = true) {
        self.name = name; self.patient = patient; self.fold = fold; self.truth = truth
        self.detections = detections; self.detectionFile = detectionFile
    }
}

/// Precision, recall and F1 of detections against ground truth per image, patient, fold and in total
/// (`mitosis evaluate`), with an optional precision-recall sweep over score thresholds.
///
/// Counts are pooled: a patient's, fold's or the total's figures come from the summed TP / FP / FN of its
/// images, not from averaging per-image figures. Over folds, mean and sample std of the fold figures.
public struct Evaluator: Sendable {
    /// True-positive radius in 40x pixels (30 = 7.5 um at 0.25 um/px).
    public var radius: Double
    /// Only detections scoring at least this are kept, in the CSVs' unit, log-odds (nil: all of them).
    public var threshold: Float?
    /// Add the pooled precision-recall curve, its best-F1 point and, with folds, each fold scored at the
    /// best-F1 threshold of the other folds' images.
    public var sweep: Bool

    public init(radius: Double = 30, threshold: Float? = nil, sweep: Bool = false) {
        self.radius = radius; self.threshold = threshold; self.sweep = sweep
    }

    /// The report of `images`; with `folds` (each fold's number and test patients, in the order to report),
    /// one row per fold from the images whose `fold` it is, and mean +/- std over folds.
    /// `truthFolder`, `detectionsFolder` and `warnings` are left empty for the caller to fill in.
    public func evaluate(_ images: [EvaluationImage], folds: [(fold: Int, patients: [String])]? = nil) -> EvaluationReport {
        let scored = images.map { image in
            ScoredImage(name: image.name, truth: image.truth,
                        detections: image.detections.filter { threshold == nil || $0.score >= threshold! })
        }
        let counts = scored.map { Matching.counts(truth: $0.truth, detections: $0.points, radius: radius) }
        let imageRows = zip(images, counts).map { image, c in
            ScoreRow(name: image.name, patient: image.patient, fold: image.fold, images: 1,
                     detectionFile: image.detectionFile, counts: c)
        }
        let patients = Array(Set(images.map(\.patient))).sorted(by: Dataset.patientOrder)
        let patientRows = patients.map { p in
            let mine = imageRows.filter { $0.patient == p }
            return ScoreRow(name: p, patient: p, fold: mine.first?.fold, images: mine.count,
                            counts: mine.reduce(MatchCounts()) { $0 + $1.counts })
        }
        var report = EvaluationReport(
            radius: radius, threshold: threshold, images: imageRows, patients: patientRows,
            total: ScoreRow(name: "total", images: images.count, counts: counts.reduce(MatchCounts(), +)))
        if let folds {
            let rows = folds.map { f in
                let mine = imageRows.filter { $0.fold == f.fold }
                return ScoreRow(name: "fold \(f.fold)", fold: f.fold, images: mine.count, testPatients: f.patients,
                                counts: mine.reduce(MatchCounts()) { $0 + $1.counts })
            }
            report.folds = rows
            report.foldSummary = FoldSummary(rows)
        }
        if sweep {
            let curve = ThresholdSweep.curve(scored, radius: radius)
            var s = Sweep(curve: curve.map { ScoreRow(name: "all", threshold: $0.threshold, counts: $0.counts) })
            if !curve.isEmpty {
                let best = ThresholdSweep.best(scored, radius: radius)
                s.best = ScoreRow(name: "best F1 (optimistic)", threshold: best.threshold, counts: best.counts)
            }
            if let folds {
                let tests = folds.map { f in (fold: f.fold, images: zip(images, scored).filter { $0.0.fold == f.fold }.map(\.1)) }
                let rows = zip(tests, ThresholdSweep.crossValidated(tests, radius: radius)).map { test, cv in
                    var row = ScoreRow(name: "fold \(cv.fold)", fold: cv.fold, images: test.images.count,
                                       threshold: cv.threshold, counts: cv.counts)
                    if cv.usedFallback {
                        row.note = "the other folds have no detections to choose from; threshold \(Self.scoreText(cv.threshold)), the fallback `mitosis run` uses too"
                    }
                    return row
                }
                s.crossValidated = rows
                s.crossValidatedSummary = FoldSummary(rows)
                let own = tests.map { test in
                    let b = ThresholdSweep.best(test.images, radius: radius)
                    return ScoreRow(name: "fold \(test.fold)", fold: test.fold, images: test.images.count, threshold: b.threshold, counts: b.counts)
                }
                s.bestPerFold = own
                s.bestPerFoldSummary = FoldSummary(own)
            }
            report.sweep = s
        }
        return report
    }

    /// A score with two decimals (four when two would round it), as the command line shows thresholds.
    static func scoreText(_ t: Float) -> String {
        let two = String(format: "%.2f", t)
        return Float(two) == t ? two : String(format: "%.4f", t)
    }
}

// MARK: - Report

/// Counts and figures of an image, patient, fold, curve point or the whole set.
public struct ScoreRow: Sendable, Equatable, Encodable {
    public var name: String
    public var patient: String?
    public var fold: Int?
    public var images: Int?
    public var testPatients: [String]?
    /// Whether a detection file was found (images only).
    public var detectionFile: Bool?
    /// Score threshold of a curve point or of a cross-validated fold (log-odds, the CSVs' unit).
    public var threshold: Float?
    public var counts: MatchCounts
    /// How a cross-validated threshold was chosen when there was nothing to choose from.
    public var note: String?

    public init(name: String, patient: String? = nil, fold: Int? = nil, images: Int? = nil, testPatients: [String]? = nil,
                detectionFile: Bool? = nil, threshold: Float? = nil, counts: MatchCounts) {
        self.name = name; self.patient = patient; self.fold = fold; self.images = images
        self.testPatients = testPatients; self.detectionFile = detectionFile; self.threshold = threshold; self.counts = counts
    }

    public var precision: Double? { counts.precision }
    public var recall: Double? { counts.recall }
    public var f1: Double? { counts.f1 }

    private enum Keys: String, CodingKey {
        case name, patient, fold, images, testPatients, detectionFile, threshold, note
        case truePositives, falsePositives, falseNegatives, precision, recall, f1
    }

    /// Undefined figures are written as null (not left out).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(patient, forKey: .patient)
        try c.encodeIfPresent(fold, forKey: .fold)
        try c.encodeIfPresent(images, forKey: .images)
        try c.encodeIfPresent(testPatients, forKey: .testPatients)
        try c.encodeIfPresent(detectionFile, forKey: .detectionFile)
        try c.encodeIfPresent(threshold, forKey: .threshold)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encode(counts.truePositives, forKey: .truePositives)
        try c.encode(counts.falsePositives, forKey: .falsePositives)
        try c.encode(counts.falseNegatives, forKey: .falseNegatives)
        for (key, value) in [(Keys.precision, precision), (.recall, recall), (.f1, f1)] {
            if let value { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
    }
}

/// Mean and sample standard deviation over folds (folds where a figure is undefined are left out of it).
public struct FoldSummary: Sendable, Equatable, Encodable {
    public struct Figure: Sendable, Equatable, Encodable {
        public var mean: Double?
        public var std: Double?
        public var folds: Int
        public init(_ m: MeanStd) { mean = m.mean; std = m.std; folds = m.count }
        /// The figure as a `MeanStd`, for `formatted`.
        public var meanStd: MeanStd { MeanStd(mean: mean, std: std, count: folds) }
    }
    public var precision: Figure
    public var recall: Figure
    public var f1: Figure

    /// From each fold's pooled counts.
    public init(_ counts: [MatchCounts]) {
        precision = Figure(MeanStd(counts.compactMap(\.precision)))
        recall = Figure(MeanStd(counts.compactMap(\.recall)))
        f1 = Figure(MeanStd(counts.compactMap(\.f1)))
    }

    public init(_ rows: [ScoreRow]) { self.init(rows.map(\.counts)) }
}

extension MeanStd {
    init(mean: Double?, std: Double?, count: Int) {
        self.init([])
        self.mean = mean; self.std = std; self.count = count
    }
}

/// The precision-recall sweep.
public struct Sweep: Sendable, Equatable, Encodable {
    public var note = "The best-F1 threshold is chosen on the same images it is scored on, so its figures are optimistic; "
        + "`mitosis run` chooses each fold's threshold with the fold's own model on its training images (or, with "
        + "--threshold-from other-folds, on the other folds' images, as crossValidated here does with --folds). Scores and "
        + "thresholds are log-odds of the smoothed P(mitosis)."
    /// One point per distinct score, descending thresholds (detections with score >= threshold kept).
    public var curve: [ScoreRow]
    /// The curve point of highest F1 (optimistic: chosen on the images it is scored on); nil without detections.
    public var best: ScoreRow?
    /// Each fold at the best-F1 threshold of the other folds' images.
    public var crossValidated: [ScoreRow]?
    public var crossValidatedSummary: FoldSummary?
    /// Each fold at the best-F1 threshold of its own images (optimistic: how well each fold's detections are
    /// ranked, whatever threshold a rule would choose).
    public var bestPerFold: [ScoreRow]?
    public var bestPerFoldSummary: FoldSummary?

    public init(curve: [ScoreRow]) { self.curve = curve }
}

/// What `evaluation.json` holds.
public struct EvaluationReport: Sendable, Equatable, Encodable {
    public var truthFolder: String
    public var detectionsFolder: String
    /// True-positive radius in 40x pixels.
    public var radius: Double
    /// Score filter applied to the detections, log-odds (nil: all).
    public var threshold: Float?
    public var images: [ScoreRow]
    public var patients: [ScoreRow]
    public var folds: [ScoreRow]?
    public var foldSummary: FoldSummary?
    public var total: ScoreRow
    public var sweep: Sweep?
    public var warnings: [String]

    public init(truthFolder: String = "", detectionsFolder: String = "", radius: Double, threshold: Float? = nil,
                images: [ScoreRow], patients: [ScoreRow], folds: [ScoreRow]? = nil, foldSummary: FoldSummary? = nil,
                total: ScoreRow, sweep: Sweep? = nil, warnings: [String] = []) {
        self.truthFolder = truthFolder; self.detectionsFolder = detectionsFolder; self.radius = radius
        self.threshold = threshold; self.images = images; self.patients = patients; self.folds = folds
        self.foldSummary = foldSummary; self.total = total; self.sweep = sweep; self.warnings = warnings
    }
}
