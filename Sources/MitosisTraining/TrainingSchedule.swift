import Foundation
import MitosisStore
import MitosisSupport

/// How long each fold trains. The tutorial's 600,000 AdaGrad iterations took days on a GPU; on a CPU we
/// train far shorter and raise the learning rate (see README, "Training"). 600 iterations per fold and round:
/// on the real cohort 1,500 and 3,000 gave no better held-out maps (docs/REAL-DATA.md, "Ablation").
public struct TrainingSchedule: Sendable, Codable, Equatable {
    public var iterations = 600
    public var batchSize = 128
    public var baseLR = 0.001
    /// Caffe solver type: "Adam" (default: reaches a better model in a CPU budget) or "AdaGrad" (the tutorial's).
    public var solverType = "Adam"
    /// Caffe learning-rate policy: "fixed" (the tutorial's) or "poly" (linear decay to zero).
    public var lrPolicy = "fixed"
    /// The net: the author's plain 32x32 net or its dropout variant.
    public var architecture = NetTemplates.Architecture.tutorial
    /// Stain augmentation of training patches (nil: none, as the tutorial).
    public var stainJitter: StainJitter? = StainJitter()
    /// Test-phase batches and interval.
    public var testIter = 20
    public var testInterval = 500
    public var snapshot = 1000
    public init() {}
}

extension TrainingSchedule {
    /// Writes one fold's training files into `folder`: `net.prototxt` (data layers on `trainDB` and `testDB`
    /// with the mean `mean`), `deploy.prototxt` and `solver.prototxt` (this schedule; snapshots
    /// `<snapshotPrefix>_iter_N`). Paths inside `tree` are written relative to `folder` and others absolute
    /// (FilePaths' rule). `mitosis run` writes both rounds' files with it and `mitosis refine` the round-2
    /// files it leaves for `mitosis train`, so both get the same solver.
    public func writeFoldFiles(into folder: String, trainDB: String, testDB: String, mean: String, backend: StoreBackend,
                               snapshotPrefix: String = "model", seed: UInt64, tree: String, note: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func here(_ p: String) -> String { FilePaths.relative(FilePaths.absolute(p), from: folder, within: tree) }
        let comment = note.map { $0.split(separator: "\n").map { "# " + $0 + "\n" }.joined() } ?? ""
        try AtomicFile.write(comment + NetTemplates.trainNet(trainDB: here(trainDB), testDB: here(testDB), meanFile: here(mean),
                                                             backend: backend.name, batchSize: batchSize,
                                                             architecture: architecture), to: folder + "/net.prototxt")
        try AtomicFile.write(NetTemplates.deployNet(architecture: architecture), to: folder + "/deploy.prototxt")
        try AtomicFile.write(NetTemplates.solver(net: "net.prototxt", snapshotPrefix: snapshotPrefix, maxIter: iterations,
                                                 baseLR: baseLR, type: solverType, lrPolicy: lrPolicy, testIter: testIter,
                                                 testInterval: testInterval, snapshot: snapshot, seed: seed),
                             to: folder + "/solver.prototxt")
    }
}
