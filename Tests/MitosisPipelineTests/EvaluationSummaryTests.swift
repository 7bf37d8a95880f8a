import Foundation
import Testing
@testable import MitosisPipeline

@Suite struct EvaluationSummaryTests {
    static func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-12 } ?? false }

    /// A (patient 01): centres (0,0), (100,0); detections 5 px and 8 px from (0,0) and one far away:
    /// 1 TP, 2 FP, 1 FN. B (01): one detection exactly 30 px from its centre: 1 TP.
    /// C (02): two centres, no detection file: 2 FN. D (10): nothing at all. E (9): one detection on its centre.
    static let images = [
        EvaluationImage(name: "01_01", patient: "01", truth: [Point(x: 0, y: 0), Point(x: 100, y: 0)],
                        detections: [(Point(x: 5, y: 0), 0.9), (Point(x: 8, y: 0), 0.3), (Point(x: 300, y: 300), 0.8)]),
        EvaluationImage(name: "01_02", patient: "01", truth: [Point(x: 50, y: 50)], detections: [(Point(x: 50, y: 80), 0.7)]),
        EvaluationImage(name: "02_01", patient: "02", truth: [Point(x: 10, y: 10), Point(x: 200, y: 200)], detectionFile: false),
        EvaluationImage(name: "10_01", patient: "10", truth: []),
        EvaluationImage(name: "9_01", patient: "9", truth: [Point(x: 0, y: 0)], detections: [(Point(x: 0, y: 0), 0.2)]),
    ]

    static func withFolds(_ images: [EvaluationImage]) -> [EvaluationImage] {
        let foldOf = ["01": 1, "02": 2, "9": 2, "10": 3]
        return images.map { var i = $0; i.fold = foldOf[i.patient]; return i }
    }

    static let folds: [(fold: Int, patients: [String])] = [(1, ["01"]), (2, ["02", "9"]), (3, ["10"])]

    @Test func perImageCounts() throws {
        let r = Evaluator(radius: 30).evaluate(Self.images)
        #expect(r.images.map(\.name) == ["01_01", "01_02", "02_01", "10_01", "9_01"])
        #expect(r.images.map(\.counts) == [
            MatchCounts(truePositives: 1, falsePositives: 2, falseNegatives: 1),
            MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 0),
            MatchCounts(truePositives: 0, falsePositives: 0, falseNegatives: 2),
            MatchCounts(),
            MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 0),
        ])
        let a = r.images[0]
        #expect(Self.close(a.precision, 1.0 / 3) && Self.close(a.recall, 0.5) && Self.close(a.f1, 2.0 / 5))
        #expect(r.images.map(\.detectionFile) == [true, true, false, true, true])
        #expect(r.images.allSatisfy { $0.images == 1 && $0.fold == nil })
        #expect(r.folds == nil && r.foldSummary == nil && r.sweep == nil)
        // A radius just under 30 px loses B's true positive.
        let narrow = Evaluator(radius: 29.9).evaluate(Self.images)
        #expect(narrow.images[1].counts == MatchCounts(truePositives: 0, falsePositives: 1, falseNegatives: 1))
    }

    @Test func imageWithoutTruthOrDetectionsHasNoFigures() throws {
        let r = Evaluator().evaluate([EvaluationImage(name: "05_01", patient: "05", truth: [], detectionFile: false)])
        let row = r.images[0]
        #expect(row.counts == MatchCounts())
        #expect(row.precision == nil && row.recall == nil && row.f1 == nil)
        #expect(r.patients.map(\.counts) == [MatchCounts()] && r.total.counts == MatchCounts() && r.total.images == 1)
        // Undefined figures are written as null, not left out.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(row), as: UTF8.self)
        #expect(json == #"{"detectionFile":false,"f1":null,"falseNegatives":0,"falsePositives":0,"images":1,"name":"05_01","patient":"05","precision":null,"recall":null,"truePositives":0}"#)
    }

    @Test func patientsAndTotalPoolTheirImages() throws {
        let r = Evaluator().evaluate(Self.images)
        // Numeric patient ids sort as numbers: 9 before 10.
        #expect(r.patients.map(\.name) == ["01", "02", "9", "10"])
        #expect(r.patients.map(\.images) == [2, 1, 1, 1])
        // 01 = A + B: TP 2, FP 2, FN 1; precision 2/4, recall 2/3, F1 4/7.
        let p1 = r.patients[0]
        #expect(p1.counts == MatchCounts(truePositives: 2, falsePositives: 2, falseNegatives: 1))
        #expect(Self.close(p1.precision, 0.5) && Self.close(p1.recall, 2.0 / 3) && Self.close(p1.f1, 4.0 / 7))
        #expect(r.patients[1].precision == nil && r.patients[1].recall == 0)
        // Total: TP 3, FP 2, FN 3; precision 3/5, recall 3/6, F1 6/11.
        #expect(r.total.name == "total" && r.total.images == 5)
        #expect(r.total.counts == MatchCounts(truePositives: 3, falsePositives: 2, falseNegatives: 3))
        #expect(Self.close(r.total.precision, 0.6) && Self.close(r.total.recall, 0.5) && Self.close(r.total.f1, 6.0 / 11))
    }

    @Test func foldsAndMeanStdOverFolds() throws {
        let r = Evaluator().evaluate(Self.withFolds(Self.images), folds: Self.folds)
        let folds = try #require(r.folds)
        #expect(folds.map(\.name) == ["fold 1", "fold 2", "fold 3"])
        #expect(folds.map(\.testPatients) == [["01"], ["02", "9"], ["10"]])
        #expect(folds.map(\.images) == [2, 2, 1])
        // Fold 1 = patient 01; fold 2 = C + E: TP 1, FN 2; fold 3 = D, empty.
        #expect(folds.map(\.counts) == [
            MatchCounts(truePositives: 2, falsePositives: 2, falseNegatives: 1),
            MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 2),
            MatchCounts(),
        ])
        #expect(r.patients.map(\.fold) == [1, 2, 2, 3])
        // Fold 3 defines no figure, so each mean is over folds 1 and 2; for two values the sample std is |a - b| / sqrt 2.
        let s = try #require(r.foldSummary)
        #expect(s.precision.folds == 2 && s.recall.folds == 2 && s.f1.folds == 2)
        #expect(Self.close(s.precision.mean, (0.5 + 1) / 2) && Self.close(s.precision.std, 0.5 / 2.0.squareRoot()))
        #expect(Self.close(s.recall.mean, (2.0 / 3 + 1.0 / 3) / 2) && Self.close(s.recall.std, (1.0 / 3) / 2.0.squareRoot()))
        #expect(Self.close(s.f1.mean, (4.0 / 7 + 0.5) / 2) && Self.close(s.f1.std, (4.0 / 7 - 0.5) / 2.0.squareRoot()))
        // One fold: a mean without std.
        let one = FoldSummary([MatchCounts(truePositives: 1, falsePositives: 1, falseNegatives: 0)])
        #expect(one.precision.mean == 0.5 && one.precision.std == nil && one.precision.folds == 1)
    }

    @Test func thresholdFiltersDetections() throws {
        // Scores >= 0.5 keep A's 0.9 and 0.8 (TP 1, FP 1, FN 1) and B's 0.7; E's 0.2 goes, so its centre is missed.
        let r = Evaluator(threshold: 0.5).evaluate(Self.images)
        #expect(r.threshold == 0.5)
        #expect(r.images[0].counts == MatchCounts(truePositives: 1, falsePositives: 1, falseNegatives: 1))
        #expect(r.images[4].counts == MatchCounts(truePositives: 0, falsePositives: 0, falseNegatives: 1))
        #expect(r.total.counts == MatchCounts(truePositives: 2, falsePositives: 1, falseNegatives: 4))
    }

    @Test func sweepAndCrossValidatedThresholds() throws {
        let images = [
            EvaluationImage(name: "01_01", patient: "01", fold: 1, truth: [Point(x: 0, y: 0)],
                            detections: [(Point(x: 0, y: 0), 0.9), (Point(x: 100, y: 100), 0.6)]),
            EvaluationImage(name: "02_01", patient: "02", fold: 2, truth: [Point(x: 0, y: 0), Point(x: 200, y: 200)],
                            detections: [(Point(x: 0, y: 0), 0.4), (Point(x: 500, y: 500), 0.8)]),
        ]
        let r = Evaluator(sweep: true).evaluate(images, folds: [(1, ["01"]), (2, ["02"])])
        let s = try #require(r.sweep)
        // Pooled: 0.9 -> TP 1, FN 2 (F1 1/2); 0.8 -> TP 1, FP 1, FN 2 (2/5); 0.6 -> TP 1, FP 2, FN 2 (1/3);
        // 0.4 -> TP 2, FP 2, FN 1 (4/7), the best.
        #expect(s.curve.map(\.threshold) == [0.9, 0.8, 0.6, 0.4])
        #expect(s.curve.map(\.counts) == [
            MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 2),
            MatchCounts(truePositives: 1, falsePositives: 1, falseNegatives: 2),
            MatchCounts(truePositives: 1, falsePositives: 2, falseNegatives: 2),
            MatchCounts(truePositives: 2, falsePositives: 2, falseNegatives: 1),
        ])
        #expect(s.best?.threshold == 0.4 && Self.close(s.best?.f1, 4.0 / 7))
        // Fold 1 takes fold 2's best (0.8 -> F1 0, 0.4 -> 1/2): 0.4, where it has TP 1, FP 1.
        // Fold 2 takes fold 1's best (0.9 -> F1 1, 0.6 -> 2/3): 0.9, which keeps none of its detections.
        let cv = try #require(s.crossValidated)
        #expect(cv.map(\.threshold) == [0.4, 0.9])
        #expect(cv.map(\.counts) == [MatchCounts(truePositives: 1, falsePositives: 1, falseNegatives: 0),
                                     MatchCounts(truePositives: 0, falsePositives: 0, falseNegatives: 2)])
        #expect(cv.allSatisfy { $0.note == nil })
        let summary = try #require(s.crossValidatedSummary)
        #expect(Self.close(summary.f1.mean, (2.0 / 3 + 0) / 2) && summary.precision.folds == 1)
        // Each fold at its own best: fold 1 at 0.9 (TP 1, F1 1); fold 2 at 0.4 (0.8 -> F1 0, 0.4 -> TP 1,
        // FP 1, FN 1, F1 1/2).
        let own = try #require(s.bestPerFold)
        #expect(own.map(\.threshold) == [0.9, 0.4])
        #expect(own.map(\.counts) == [MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 0),
                                      MatchCounts(truePositives: 1, falsePositives: 1, falseNegatives: 1)])
        #expect(Self.close(s.bestPerFoldSummary?.f1.mean, (1 + 0.5) / 2))
        #expect(r.text().contains("best-F1 threshold of its own images"))
    }

    @Test func crossValidatedThresholdFallsBackWithoutOtherDetections() throws {
        let folds: [(fold: Int, images: [ScoredImage])] = [
            (1, [ScoredImage(name: "01_01", truth: [Point(x: 0, y: 0)], detections: [(Point(x: 0, y: 0), 0.7)])]),
            (2, [ScoredImage(name: "02_01", truth: [Point(x: 0, y: 0)], detections: [])]),
        ]
        let cv = ThresholdSweep.crossValidated(folds, radius: 30)
        #expect(cv == [
            CrossValidatedFold(fold: 1, threshold: 0.5, counts: MatchCounts(truePositives: 1), usedFallback: true),
            CrossValidatedFold(fold: 2, threshold: 0.7, counts: MatchCounts(falseNegatives: 1), usedFallback: false),
        ])
        let images = [EvaluationImage(name: "01_01", patient: "01", fold: 1, truth: [Point(x: 0, y: 0)],
                                      detections: [(Point(x: 0, y: 0), 0.7)]),
                      EvaluationImage(name: "02_01", patient: "02", fold: 2, truth: [Point(x: 0, y: 0)])]
        let rows = try #require(Evaluator(sweep: true).evaluate(images, folds: [(1, ["01"]), (2, ["02"])]).sweep?.crossValidated)
        #expect(rows[0].note?.contains("threshold 0.50") == true && rows[1].note == nil)
    }
}
