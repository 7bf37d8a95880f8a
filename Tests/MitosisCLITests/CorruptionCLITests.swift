import Foundation
import Testing

/// A database or patch archive changed after it was written (a disk or copy error, an edit): the command
/// that reads it names it and says what to do, instead of training on it (issue 16's fault matrix).
@Suite(.serialized) struct CorruptionCLITests {
    /// A finished `run --databases` on two 128x128 synthetic images (~5 s).
    static func finishedRun(_ name: String) throws -> String {
        let t = try CLI.temporaryFolder(name)
        let synth = try CLI.run(["synth", "cohort", "--patients", "2", "--images-per-patient", "1", "--size", "128", "--seed", "16", "-q"], cwd: t)
        try #require(synth.status == 0, "\(synth.stderr)")
        let run = try CLI.run(["run", "cohort", "out", "--folds", "2", "--iterations", "2", "--no-refine", "--databases", "-q"], cwd: t)
        try #require(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        return t
    }

    /// Flips one byte in the middle of `path`.
    static func flipByte(_ path: String, at fraction: Double = 0.5) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[Int(Double(bytes.count) * fraction)] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func trainingRefusesADatabaseChangedAfterItWasWritten() throws {
        let t = try Self.finishedRun("corrupt-db")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let db = t + "/out/round1/db/DB_train_1"
        #expect(CLI.exists(db + "/mitosis-digest.txt"))
        // A byte of some record's pixels, found by its position among the records: the middle of the data.
        try Self.flipByte(db + "/data.mdb", at: 0.5)
        let train = try CLI.run(["train", "--solver", "out/round1/fold_1/solver.prototxt", "--max-iter", "2"], cwd: t)
        #expect(train.status != 0)
        let message = train.stdout + train.stderr
        #expect(message.contains(db) && message.contains("changed after it was written"), "\(message)")
        #expect(message.contains("delete it and re-run"), "\(message)")
        #expect(!message.contains("Iteration 1"), "trained on it: \(message)")
    }

    @Test func databaseStepRefusesAPatchArchiveChangedAfterItWasWritten() throws {
        let t = try Self.finishedRun("corrupt-archive")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let archive = t + "/out/round1/patches/01_01.patches"
        try Self.flipByte(archive)
        let db = try CLI.run(["db", "out/round1/patches", "-o", "fresh"], cwd: t)
        #expect(db.status != 0)
        let message = db.stdout + db.stderr
        #expect(message.contains("out/round1/patches/01_01.patches") && message.contains("damaged"), "\(message)")
        #expect(message.contains("re-run `mitosis patches`"), "\(message)")
        #expect(!CLI.exists(t + "/fresh/DB_train_1"), "a database was built from the damaged archive")
    }
}
