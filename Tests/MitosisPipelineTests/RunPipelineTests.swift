import Foundation
@testable import MitosisData
import MitosisSupport
import MitosisSynth
import Testing
@testable import MitosisPipeline

/// The whole pipeline as a library call (`RunPipeline`), on a tiny synthetic cohort and a few iterations:
/// what the figures must add up to and what a second call must give. The CLI tests of `run` and `demo`
/// only check the command around it.
@Suite struct RunPipelineTests {
    static let spec = CohortSpec(patients: 3, imagesPerPatient: 1, width: 256, height: 256, seed: 5, mitosesPerImage: 3)

    @Test func bothRoundsCountEveryMitosisOnceAndASecondRunResumes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("run-pipeline-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cohort = try SyntheticCohort.write(Self.spec, to: root + "/cohort", candidateMasks: true)
        var options = RunOptions()
        options.folds = 3
        options.training.iterations = 3
        options.training.batchSize = 16
        options.training.testIter = 1
        options.bundleCalibrationImages = 3
        options.thresholdImages = 1
        let out = root + "/run"
        let report = try RunPipeline(dataset: root + "/cohort", out: out, options: options).run()

        // Each fold trains on two images: round 1 chooses its threshold on both (step 6 maps them anyway),
        // round 2 on at most `thresholdImages`.
        for fold in 1...3 {
            for (round, images) in [(1, 2), (2, 1)] {
                let file = URL(fileURLWithPath: out + "/round\(round)/fold_\(fold)/threshold.json")
                let chosen = try JSONDecoder().decode(RunPipeline.FoldThreshold.self, from: Data(contentsOf: file))
                #expect(chosen.images == images, "round \(round) fold \(fold)")
            }
        }

        let truth = Dictionary(uniqueKeysWithValues: cohort.entries.map { ($0.name, $0.figures.count) })
        #expect(report.cohort.mitoses == truth.values.reduce(0, +))
        #expect(report.rounds.map(\.round) == [1, 2])
        for round in report.rounds {
            // Patient-level folds: every patient is tested once per round.
            #expect(round.folds.flatMap(\.testPatients).sorted() == ["01", "02", "03"])
            // Every true mitosis of a fold's test images is either found or missed, once.
            for fold in round.folds {
                let names = cohort.entries.filter { fold.testPatients.contains(Self.spec.patientID($0.patient)) }.map(\.name)
                let c = fold.counts
                #expect(c.truePositives + c.falseNegatives == names.reduce(0) { $0 + truth[$1]! }, "round \(round.round) fold \(fold.fold)")
            }
        }
        // Per image, from the last round's models.
        #expect(report.images.map(\.round) == [2, 2, 2])
        #expect(report.images.map(\.name).sorted() == truth.keys.sorted())
        for image in report.images {
            #expect(image.counts.truePositives + image.counts.falseNegatives == truth[image.name], "\(image.name)")
        }
        for file in ["report.html", "report.json", "model/manifest.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }

        // A second call finds every step done and gives the same figures.
        let again = try RunPipeline(dataset: root + "/cohort", out: out, options: options).run()
        #expect(again.rounds.map(\.folds) == report.rounds.map(\.folds))
        #expect(again.images.map(\.counts) == report.images.map(\.counts))

        // Resuming with another net would mix models trained with one net into maps made with the other.
        var other = options
        other.training.architecture = options.training.architecture == .dropout ? .tutorial : .dropout
        let refused = #expect(throws: PipelineError.self) {
            try RunPipeline(dataset: root + "/cohort", out: out, options: other).run()
        }
        #expect("\(refused!)".contains("another --net"))
    }

    @Test func evenlySpreadTakesEveryKthNameAndNeverMoreThanThereAre() {
        let items = (0..<10).reversed().map { DatasetImage(name: String(format: "p%02d", $0), patient: "p", imagePath: "") }
        #expect(evenlySpread(items, count: 3).map(\.name) == ["p00", "p03", "p06"])
        #expect(evenlySpread(items, count: 10).map(\.name) == (0..<10).map { String(format: "p%02d", $0) })
        #expect(evenlySpread(items, count: 50).count == 10)
        #expect(evenlySpread(items, count: 0).isEmpty)
        #expect(evenlySpread([], count: 5).isEmpty)
    }
}
