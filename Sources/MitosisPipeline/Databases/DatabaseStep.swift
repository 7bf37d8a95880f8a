import Foundation
import Logging
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisStore
import MitosisSupport

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

    /// Builds every fold's databases. Each image's patches are read and encoded once (in parallel), then the
    /// ten databases are written two at a time from the shared records.
    public func run(_ index: PatchIndex, patchFolder: String, folds: FoldStep.Summary, into folder: String,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let all = folds.folds.flatMap { f in [(f.fold, true, f.trainPatients), (f.fold, false, f.testPatients)] }
        let jobs = all.filter { fold, train, _ in
                if isFinished(fold: fold, train: train, patchSize: index.options.patchSize, in: folder) {
                    logger.info("\(Self.databasePath(fold: fold, train: train, patchSize: index.options.patchSize, in: folder)) exists: skipped")
                    return false
                }
                return true
            }
        // (done, total) over every database; finished ones count as done from the start.
        let skipped = all.count - jobs.count
        progress?(skipped, all.count)
        guard !jobs.isEmpty else { return }
        // Refused before any archive is read, from the index's counts.
        try requireSpace(for: jobs.map { _, _, patients in index.entries.filter { Set(patients).contains($0.patient) } },
                         options: index.options, in: folder, what: "step 3 (\(jobs.count) patch databases)")
        let needed = Set(jobs.flatMap { $0.2 })
        let images = try ImagePatches.load(index, folder: patchFolder, patients: needed)
        // Each database's images; the largest databases first, so the two cores finish together.
        let work = jobs.map { fold, train, patients in
            (fold: fold, train: train, images: images.filter { Set(patients).contains($0.entry.patient) })
        }.map { ($0, $0.images.reduce(0) { $0 + $1.count }) }
            .sorted { a, b in a.1 != b.1 ? a.1 > b.1 : (a.0.fold, a.0.train ? 0 : 1) < (b.0.fold, b.0.train ? 0 : 1) }
            .map(\.0)
        let results = ParallelMap.map(work, progress: progress.map { report in { done, _ in report(skipped + done, all.count) } }) { job -> Error? in
            do {
                try self.write(fold: job.fold, train: job.train, images: job.images,
                               patchSize: index.options.patchSize, into: folder)
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
        let s = index.options.patchSize
        if isFinished(fold: fold, train: train, patchSize: s, in: folder) {
            logger.info("\(Self.databasePath(fold: fold, train: train, patchSize: s, in: folder)) exists: skipped")
            return
        }
        let entries = index.entries.filter { patients.contains($0.patient) }
        try requireSpace(for: [entries], options: index.options, in: folder, what: "the fold \(fold) \(train ? "training" : "test") database")
        try write(fold: fold, train: train, images: ImagePatches.load(index, folder: patchFolder, patients: patients),
                  patchSize: s, into: folder)
    }

    /// The name of the seeded shuffle of one side of a fold (`ShuffledPatches`).
    public static func shuffleStream(fold: Int, train: Bool) -> String { "db-\(train ? "train" : "test")-\(fold)" }

    /// One side of a fold in database order: `images`' records in this step's seeded shuffle.
    public func records(fold: Int, train: Bool, images: [ImagePatches]) -> ShuffledPatches {
        ShuffledPatches(images, seed: seed, stream: Self.shuffleStream(fold: fold, train: train))
    }

    /// Bytes the databases of `databases` (each a list of encoded archives) take on disk, estimated from
    /// their records: LMDB stores a record of more than half a 4 KiB page on overflow pages of its own
    /// (a 32x32 Datum, 3,086 bytes, takes one page) plus its key in a leaf; LevelDB about the bytes.
    public func estimatedBytes(records: Int, recordBytes: Int) -> Int64 {
        let keyBytes = 48
        switch backend {
        case .lmdb:
            let perRecord = recordBytes + 16 > 2048 ? ((recordBytes + 16 + 4095) / 4096) * 4096 + keyBytes + 16 : recordBytes + keyBytes + 16
            return Int64(records) * Int64(perRecord) + (1 << 20)
        case .leveldb:
            return Int64(records) * Int64(recordBytes + keyBytes) * 11 / 10 + (1 << 20)
        }
    }

    /// Refuses (before anything is read or written) when the databases of `databases` (each the index
    /// entries of its images) would not fit on the disk of `folder`. A record is one patch's `Datum`: the
    /// BGR bytes and a few bytes of fields.
    func requireSpace(for databases: [[PatchIndex.Entry]], options: PatchOptions, in folder: String, what: String) throws {
        let recordBytes = 3 * options.patchSize * options.patchSize + 14
        let total = databases.reduce(Int64(0)) { sum, entries in
            let records = entries.reduce(0) {
                $0 + $1.positives * options.positiveAngles.count + $1.negatives * options.negativeAngles.count
            }
            return sum + estimatedBytes(records: records, recordBytes: recordBytes)
        }
        try DiskSpace.require(total, at: folder, for: what)
    }

    static func databasePath(fold: Int, train: Bool, patchSize: Int, in folder: String) -> String {
        let p = paths(fold: fold, patchSize: patchSize, in: folder)
        return train ? p.train : p.test
    }

    /// A database is finished once it sits under its final name (and, for training, its mean exists).
    func isFinished(fold: Int, train: Bool, patchSize: Int, in folder: String) -> Bool {
        let p = Self.paths(fold: fold, patchSize: patchSize, in: folder)
        let manager = FileManager.default
        return manager.fileExists(atPath: train ? p.train : p.test) && (!train || manager.fileExists(atPath: p.mean))
    }

    /// Writes one database: keys `%08d_<name>` in the seeded shuffle of `convert_imageset -shuffle`
    /// (`records(fold:train:images:)`), and for a training database its mean image.
    func write(fold: Int, train: Bool, images: [ImagePatches], patchSize s: Int, into folder: String) throws {
        let p = DatabaseStep.paths(fold: fold, patchSize: s, in: folder)
        let dbPath = Self.databasePath(fold: fold, train: train, patchSize: s, in: folder)
        let records = self.records(fold: fold, train: train, images: images)
        let store = try openStore(at: URL(fileURLWithPath: dbPath), backend: backend, access: .create(overwrite: true))
        defer { store.close() }
        var txn = try store.beginTransaction()
        var key: [UInt8] = []
        for n in 0..<records.count {
            let (i, r) = records.order[n]
            let image = images[Int(i)]
            StoreKey.caffe(index: n, name: Array(image.fileName(Int(r)).utf8)[...], into: &key)
            let value = image.serializedRecord(Int(r))
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try txn.put(key: k, value: v) } }
            if (n + 1) % transactionSize == 0 {
                try txn.commit()
                txn = try store.beginTransaction()
            }
        }
        try txn.commit()
        if train { try records.writeMean(to: p.mean) }
        try store.finish()
        logger.info("\(dbPath): \(records.count) records")
    }
}
