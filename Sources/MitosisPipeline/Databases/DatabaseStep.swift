import Foundation
import Logging
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisStore

/// Step 3: per fold, a training and a test patch database of Caffe `Datum` records and the training mean
/// image, as `convert_imageset -shuffle` and `compute_image_mean` make them.
///
/// Databases are `DB_train_k` / `DB_test_k` (LMDB by default, LevelDB as the tutorial used), keys
/// `%08d_<patch name>` in a seeded shuffle of the fold's list, so iteration order is the shuffle. The mean is
/// `DB_train_w32_k.binaryproto`, a 1x3x32x32 BGR float blob. A database appears under its final name only
/// once complete (see MitosisStore), so re-running skips finished databases and redoes interrupted ones.
public struct DatabaseStep {
    public var backend: StoreBackend = .lmdb
    public var seed: UInt64 = 1
    /// Records per write transaction.
    public var transactionSize = 10_000
    public var logger = Logger(label: "mitosis.db")

    public init(backend: StoreBackend = .lmdb, seed: UInt64 = 1) { self.backend = backend; self.seed = seed }

    /// Paths of one fold's outputs inside `folder`.
    public static func paths(fold: Int, patchSize: Int, in folder: String) -> (train: String, test: String, mean: String) {
        ("\(folder)/DB_train_\(fold)", "\(folder)/DB_test_\(fold)", "\(folder)/DB_train_w\(patchSize)_\(fold).binaryproto")
    }

    /// Builds every fold's databases. Folds run in parallel on all cores.
    public func run(_ index: PatchIndex, patchFolder: String, folds: FoldStep.Summary, into folder: String,
                    progress: (@Sendable () -> Void)? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let jobs = folds.folds.flatMap { f in [(f.fold, true, f.trainPatients), (f.fold, false, f.testPatients)] }
        let results = ParallelMap.map(jobs) { fold, train, patients -> Error? in
            defer { progress?() }
            do {
                try self.build(fold: fold, train: train, patients: Set(patients), index: index,
                               patchFolder: patchFolder, into: folder)
                return nil
            } catch { return error }
        }
        let errors = results.compactMap { $0 }
        for e in errors { logger.error("\(e)") }
        if let first = errors.first { throw first }
    }

    /// One side (train or test) of one fold: the database of `patients`' patches and, for the training
    /// side, its mean image (as step 6 builds a fold's second-round training database alone).
    public func build(fold: Int, train: Bool, patients: Set<String>, index: PatchIndex, patchFolder: String, into folder: String) throws {
        let p = DatabaseStep.paths(fold: fold, patchSize: index.options.patchSize, in: folder)
        let dbPath = train ? p.train : p.test
        let done = FileManager.default.fileExists(atPath: dbPath) && (!train || FileManager.default.fileExists(atPath: p.mean))
        if done {
            logger.info("\(dbPath) exists: skipped")
            return
        }
        let entries = index.entries.filter { patients.contains($0.patient) }
        // Every patch of the side, as (image, record) pairs, then the seeded shuffle of convert_imageset.
        var archives: [[Patch]] = []
        var order: [(image: Int, record: Int)] = []
        for (i, e) in entries.enumerated() {
            let patches = try PatchArchive.read(patchFolder + "/" + e.archive).patches
            archives.append(patches)
            order += (0..<patches.count).map { (i, $0) }
        }
        var rng = SeededRandom(seed: seed, stream: SeededRandom.stream("db-\(train ? "train" : "test")-\(fold)"))
        order.shuffle(using: &rng)
        let s = index.options.patchSize
        var sums = [Double](repeating: 0, count: 3 * s * s)
        let store = try openStore(at: URL(fileURLWithPath: dbPath), backend: backend, access: .create(overwrite: true))
        defer { store.close() }
        var txn = try store.beginTransaction()
        for (n, item) in order.enumerated() {
            let patch = archives[item.image][item.record]
            let datum = Datum(image: Image(width: s, height: s, channels: 3, pixels: patch.pixels), label: Int(patch.label))
            if train { for (j, v) in datum.data.enumerated() { sums[j] += Double(v) } }
            try txn.put(key: StoreKey.caffe(index: n, name: patch.fileName(image: entries[item.image].name)),
                        value: datum.serializedBytes())
            if (n + 1) % transactionSize == 0 {
                try txn.commit()
                txn = try store.beginTransaction()
            }
        }
        try txn.commit()
        if train {
            let count = Double(max(order.count, 1))
            try MeanImage.write(Tensor(shape: [1, 3, s, s], data: sums.map { Float($0 / count) }),
                                to: URL(fileURLWithPath: p.mean))
        }
        try store.finish()
        logger.info("\(dbPath): \(order.count) records")
    }
}
