import Foundation
import MitosisPipeline
import MitosisTraining
import Testing

/// `mitosis train --folds --jobs` and `mitosis run` schedule folds the same way (FoldScheduler), so a fold
/// trains to the same weights whichever command trains it. Before, `train --jobs 2` gave a last fold left
/// alone one core's worth of oneDNN threads where `run` gave it all cores.
@Suite(.serialized) struct FoldSchedulingCLITests {
    @Test func threadsArePositionalAndALoneLastFoldGetsEveryCore() {
        #expect((0..<5).map { FoldScheduler.threads(position: $0, count: 5, width: 2, cores: 2) } == [1, 1, 1, 1, 2])
        #expect((0..<4).map { FoldScheduler.threads(position: $0, count: 4, width: 2, cores: 2) } == [1, 1, 1, 1])
        #expect((0..<3).map { FoldScheduler.threads(position: $0, count: 3, width: 1, cores: 2) } == [2, 2, 2])
        #expect(FoldScheduler.threads(position: 0, count: 1, width: 2, cores: 2) == 2)
        #expect((0..<7).map { FoldScheduler.threads(position: $0, count: 7, width: 3, cores: 6) } == [2, 2, 2, 2, 2, 2, 6])
    }

    @Test func aLastFoldTrainedAloneMatchesTheSameFoldTrainedByItself() throws {
        let t = try CLI.temporaryFolder("fold-scheduling")
        defer { try? FileManager.default.removeItem(atPath: t) }
        func mitosis(_ args: [String], cwd: String? = nil) throws {
            let r = try CLI.run(args, cwd: cwd)
            try #require(r.status == 0, "mitosis \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
        }
        try mitosis(["synth", t + "/cohort", "--patients", "6", "--images-per-patient", "1", "--size", "256", "--seed", "5", "-q"])
        try mitosis(["patches", t + "/cohort", t + "/p", "--seed", "5", "--positive-angles", "0", "--negative-angles", "0", "-q"])
        try mitosis(["folds", t + "/p", "--folds", "3", "-q"])
        try mitosis(["db", t + "/p", "-q"])
        for dir in ["together", "alone"] {
            let model = t + "/" + dir
            try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
            try NetTemplates.trainNet(trainDB: "../p/DB_train_%(kfoldi)d", testDB: "../p/DB_test_%(kfoldi)d",
                                      meanFile: "../p/DB_train_w32_%(kfoldi)d.binaryproto", backend: "lmdb", batchSize: 64, testBatchSize: 64)
                .write(toFile: model + "/net.prototxt", atomically: true, encoding: .utf8)
            try NetTemplates.solver(net: "net.prototxt", snapshotPrefix: "fold%(kfoldi)d", maxIter: 6, type: "Adam", testIter: 1,
                                    testInterval: 1000, snapshot: 1000)
                .write(toFile: model + "/solver.prototxt", atomically: true, encoding: .utf8)
        }
        // Three folds two at a time: fold 3 is left over and runs alone, as fold 5 of 5 in `run`.
        try mitosis(["train", "--solver", t + "/together/solver.prototxt", "--folds", "1-3", "--jobs", "2", "-q"])
        try mitosis(["train", "--solver", t + "/alone/solver.prototxt", "--folds", "3", "-q"])
        let together = try Data(contentsOf: URL(fileURLWithPath: t + "/together/fold3_iter_6.caffemodel"))
        let alone = try Data(contentsOf: URL(fileURLWithPath: t + "/alone/fold3_iter_6.caffemodel"))
        #expect(together == alone, "fold 3's weights depend on how it was scheduled")
    }
}
