// The patch database interface: what the pipeline needs to write Caffe `Datum` records (step 3) and what
// training needs to read them back in key order, the way Caffe's `db::DB` / `Transaction` / `Cursor` do.
import Foundation

/// How to open a store.
public enum StoreAccess: Sendable, Hashable {
    /// Build a new database. It is written into `<path>.partial` and appears at `path` only when `finish()`
    /// succeeds. An existing database at `path` is an error unless `overwrite` is true, in which case it is
    /// replaced by the new one when `finish()` succeeds (and kept if the build fails).
    case create(overwrite: Bool)
    /// Read a finished database.
    case readOnly
}

/// A key/value byte store: LMDB or LevelDB, one directory, keys iterated in byte order.
///
/// Use from one thread at a time. Cursors and transactions keep the database open until they are released.
public protocol KeyValueStore: AnyObject {
    /// The database's final path (a directory).
    var url: URL { get }
    /// The engine behind this store.
    var backend: StoreBackend { get }
    /// True for a store opened with `.create` that has not been finished or closed.
    var isWritable: Bool { get }

    /// Number of committed records.
    func count() throws -> Int
    /// A cursor over the committed records in key order, positioned before the first one.
    func makeCursor() throws -> any StoreCursor
    /// Starts a write transaction; only one may be open at a time.
    func beginTransaction() throws -> any StoreTransaction
    /// Writer: flushes to disk, closes, and moves `<path>.partial` to `path`. Reader: same as `close()`.
    func finish() throws
    /// Releases the store. A writer closed without `finish()` leaves its `.partial` behind, exactly as a crash
    /// would; the next `.create` of the same path removes it.
    func close()
}

/// A batch of writes that becomes visible (and durable, after `finish()`) all at once.
///
/// Begin, fill and commit a transaction on one thread, without `await` in between: LMDB ties its write lock to
/// the thread. About 1,000 records per transaction (Caffe's choice) is fastest for both backends; LevelDB
/// holds an uncommitted transaction in memory.
public protocol StoreTransaction: AnyObject {
    /// Stores `value` under `key`, replacing any value already there. LMDB keys are limited to 511 bytes.
    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws
    /// Makes the transaction's writes part of the store. The transaction cannot be used afterwards.
    func commit() throws
    /// Drops the transaction's writes. Released uncommitted transactions are aborted.
    func abort()
}

extension StoreTransaction {
    /// Stores `value` under `key`.
    public func put(key: [UInt8], value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try put(key: k, value: v) } }
    }

    /// Stores `value` under the UTF-8 bytes of `key` (e.g. a `StoreKey.caffe` key).
    public func put(key: String, value: [UInt8]) throws {
        try put(key: Array(key.utf8), value: value)
    }

    /// Stores `value` under the UTF-8 bytes of `key`.
    public func put(key: String, value: Data) throws {
        try Array(key.utf8).withUnsafeBytes { k in try value.withUnsafeBytes { v in try put(key: k, value: v) } }
    }
}

/// Walks a store's records in key order.
public protocol StoreCursor: AnyObject {
    /// The path of the store being read (for error messages).
    var storeURL: URL { get }
    /// Moves to the first record and returns it; nil if the store is empty.
    func first() throws -> StoreRecord?
    /// Moves to the next record (the first one on a new cursor) and returns it; nil past the last.
    func next() throws -> StoreRecord?
}

extension StoreCursor {
    /// The next record, starting over from the first after the last, as Caffe's data layer does.
    /// - Throws: `StoreError.empty` if the store has no records.
    public func nextWrapping() throws -> StoreRecord {
        if let record = try next() { return record }
        if let record = try first() { return record }
        throw StoreError.empty(path: storeURL.path)
    }
}

extension KeyValueStore {
    /// Calls `body` with every committed record in key order.
    public func forEachRecord(_ body: (StoreRecord) throws -> Void) throws {
        let cursor = try makeCursor()
        while let record = try cursor.next() { try body(record) }
    }

    /// Writes `records` in one transaction and commits it.
    public func write<S: Sequence>(_ records: S) throws where S.Element == StoreRecord {
        let transaction = try beginTransaction()
        for record in records { try transaction.put(key: record.key, value: record.value) }
        try transaction.commit()
    }
}

/// Opens (or starts building) the database at `url`.
///
/// - Parameters:
///   - url: the database directory, e.g. `DB_train_w32_1`.
///   - backend: the engine; `.lmdb` unless the tutorial's `.leveldb` is wanted.
///   - access: `.readOnly` for finished databases, `.create(overwrite:)` to build one.
/// - Throws: `StoreError` for a missing, interrupted, foreign or already existing database, or a library error.
public func openStore(at url: URL, backend: StoreBackend = .lmdb, access: StoreAccess) throws -> any KeyValueStore {
    switch access {
    case .readOnly:
        try _StagedBuild.checkReadable(url, backend: backend)
        switch backend {
        case .lmdb: return try LMDBStore(readingAt: url)
        case .leveldb: return try LevelDBStore(readingAt: url)
        }
    case .create(let overwrite):
        let build = try _StagedBuild.begin(url, backend: backend, overwrite: overwrite)
        do {
            switch backend {
            case .lmdb: return try LMDBStore(building: build)
            case .leveldb: return try LevelDBStore(building: build)
            }
        } catch {
            build.discard()
            throw error
        }
    }
}
