import Foundation

/// Everything the run report shows, as plain Codable data (save it as JSON beside the run; render it with
/// `HTMLReport` and `TextSummary`). Charts are built from the raw curves at render time.
public struct ReportData: Sendable, Codable {
    public var title: String
    /// When the run finished, as text (ISO 8601 recommended).
    public var generated: String
    public var cohort: CohortSummary
    /// Round 1 (initial training) and round 2 (refinement with hard negatives), in order.
    public var rounds: [RoundResult]
    /// Held-out test images with their counts and pictures.
    public var images: [ImageResult]
    /// Mitotic grade per patient.
    public var grades: [PatientGrade]
    public var settings: RunSettings

    public init(title: String, generated: String, cohort: CohortSummary, rounds: [RoundResult] = [],
                images: [ImageResult] = [], grades: [PatientGrade] = [], settings: RunSettings = RunSettings()) {
        self.title = title; self.generated = generated; self.cohort = cohort; self.rounds = rounds
        self.images = images; self.grades = grades; self.settings = settings
    }

    /// Pretty-printed JSON with sorted keys (images as base64).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// Size of the data set.
public struct CohortSummary: Sendable, Codable, Equatable {
    public var patients: Int
    public var images: Int
    public var mitoses: Int
    /// Free text, e.g. the data folder or "synthetic cohort, seed 7".
    public var source: String

    public init(patients: Int, images: Int, mitoses: Int, source: String = "") {
        self.patients = patients; self.images = images; self.mitoses = mitoses; self.source = source
    }
}

/// One round of cross-validation.
public struct RoundResult: Sendable, Codable {
    /// 1 or 2.
    public var round: Int
    /// E.g. "Round 1: initial training", "Round 2: refined with hard negatives".
    public var name: String
    public var folds: [FoldResult]
    /// Precision-recall curve of each fold's test images.
    public var precisionRecall: [PrecisionRecallCurve]
    /// Training log of each fold.
    public var losses: [LossCurve]

    public init(round: Int, name: String, folds: [FoldResult], precisionRecall: [PrecisionRecallCurve] = [],
                losses: [LossCurve] = []) {
        self.round = round; self.name = name; self.folds = folds
        self.precisionRecall = precisionRecall; self.losses = losses
    }

    /// Mean and sample standard deviation over folds of precision, recall and F1 (folds where a figure is
    /// undefined are left out of that figure).
    public var summary: (precision: MeanStd, recall: MeanStd, f1: MeanStd) {
        (MeanStd(folds.compactMap(\.counts.precision)), MeanStd(folds.compactMap(\.counts.recall)),
         MeanStd(folds.compactMap(\.counts.f1)))
    }

    /// Counts summed over folds.
    public var pooled: MatchCounts { folds.reduce(MatchCounts()) { $0 + $1.counts } }
}

/// Test results of one fold.
public struct FoldResult: Sendable, Codable, Equatable {
    /// 1-based fold number.
    public var fold: Int
    public var testPatients: [String]
    /// Detection threshold, chosen without the fold's test images.
    public var threshold: Float
    /// Counts over the fold's test images at that threshold.
    public var counts: MatchCounts

    public init(fold: Int, testPatients: [String], threshold: Float, counts: MatchCounts) {
        self.fold = fold; self.testPatients = testPatients; self.threshold = threshold; self.counts = counts
    }
}

/// A precision-recall curve and the operating point at the fold's threshold.
public struct PrecisionRecallCurve: Sendable, Codable, Equatable {
    public var fold: Int
    /// From `ThresholdSweep.curve`, descending thresholds.
    public var points: [OperatingPoint]
    public var chosenThreshold: Float

    public init(fold: Int, points: [OperatingPoint], chosenThreshold: Float) {
        self.fold = fold; self.points = points; self.chosenThreshold = chosenThreshold
    }
}

/// Loss and accuracy during training of one fold.
public struct LossCurve: Sendable, Codable, Equatable {
    public var fold: Int
    public var trainIterations: [Int]
    public var trainLoss: [Double]
    public var testIterations: [Int]
    public var testLoss: [Double]
    /// 0...1.
    public var testAccuracy: [Double]

    public init(fold: Int, trainIterations: [Int], trainLoss: [Double], testIterations: [Int] = [],
                testLoss: [Double] = [], testAccuracy: [Double] = []) {
        self.fold = fold; self.trainIterations = trainIterations; self.trainLoss = trainLoss
        self.testIterations = testIterations; self.testLoss = testLoss; self.testAccuracy = testAccuracy
    }
}

/// One held-out test image.
public struct ImageResult: Sendable, Codable {
    public var name: String
    public var patient: String
    public var fold: Int
    /// The round whose model produced the detections.
    public var round: Int
    public var counts: MatchCounts
    /// PNG or JPEG bytes of the image with TP / FP / FN rings (`Overlay.draw`), usually a thumbnail
    /// (JPEG keeps a report of hundreds of images small).
    public var overlayImage: Data?
    /// PNG or JPEG bytes of the P(mitosis) heatmap over the image (`Heatmap.overlay`).
    public var heatmapImage: Data?

    public init(name: String, patient: String, fold: Int, round: Int, counts: MatchCounts,
                overlayImage: Data? = nil, heatmapImage: Data? = nil) {
        self.name = name; self.patient = patient; self.fold = fold; self.round = round
        self.counts = counts; self.overlayImage = overlayImage; self.heatmapImage = heatmapImage
    }
}

/// Mitotic grade of one patient, from the detections on all its images.
public struct PatientGrade: Sendable, Codable, Equatable {
    public var patient: String
    public var images: Int
    /// Ground-truth mitoses on those images, for comparison (nil when unknown).
    public var truthCount: Int?
    public var grade: MitoticGrade
    /// Grade the ground truth would give (nil when unknown).
    public var truthGrade: MitoticGrade?

    public init(patient: String, images: Int, truthCount: Int? = nil, grade: MitoticGrade, truthGrade: MitoticGrade? = nil) {
        self.patient = patient; self.images = images; self.truthCount = truthCount
        self.grade = grade; self.truthGrade = truthGrade
    }
}

/// How the run was made: the commands, seeds, versions and options, as shown to the reader.
public struct RunSettings: Sendable, Codable, Equatable {
    public var commands: [String]
    /// Ordered (name, value) pairs: seeds, versions, options.
    public var values: [Setting]

    public struct Setting: Sendable, Codable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public init(commands: [String] = [], values: [Setting] = []) { self.commands = commands; self.values = values }
}

/// Mean and sample standard deviation (n - 1, as MATLAB's `std`) of a list of values.
public struct MeanStd: Sendable, Equatable {
    public var mean: Double?
    public var std: Double?
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { mean = nil; std = nil; return }
        let m = values.reduce(0, +) / Double(values.count)
        mean = m
        std = values.count > 1
            ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot() : nil
    }

    /// `0.371 ± 0.204`, `0.371` for one value, `–` for none.
    public func formatted(decimals: Int = 3, plusMinus: String = "±") -> String {
        guard let mean else { return "–" }
        let m = String(format: "%.\(decimals)f", mean)
        guard let std else { return m }
        return "\(m) \(plusMinus) \(String(format: "%.\(decimals)f", std))"
    }
}
