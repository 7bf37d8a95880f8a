import CLevelDB
import Foundation

/// A `KeyValueStore` on LevelDB.
final class LevelDBStore: KeyValueStore {
    let url: URL
    var backend: StoreBackend { .leveldb }
    var isWritable: Bool { build != nil && handle != nil }

    private var handle: _LevelDBHandle?
    private var build: _StagedBuild?
    private weak var openTransaction: LevelDBTransaction?
    private var cachedCount: Int?

    /// Opens a finished database for reading.
    init(readingAt url: URL) throws {
        self.url = url
        self.handle = try _LevelDBHandle(directory: url, create: false, url: url)
    }

    /// Creates an empty database in the build's `.partial` directory.
    init(building build: _StagedBuild) throws {
        self.url = build.finalURL
        self.build = build
        self.handle = try _LevelDBHandle(directory: build.partialURL, create: true, url: build.finalURL)
    }

    deinit { close() }

    /// LevelDB keeps no record count, so this scans the keys once (cached while nothing is written).
    func count() throws -> Int {
        let handle = try openHandle("count")
        if let cachedCount { return cachedCount }
        let cursor = LevelDBCursor(handle: handle)
        var count = 0
        while try cursor.advance() { count += 1 }
        cachedCount = count
        return count
    }

    func makeCursor() throws -> any StoreCursor {
        LevelDBCursor(handle: try openHandle("read"))
    }

    func beginTransaction() throws -> any StoreTransaction {
        let handle = try openHandle("write to")
        guard build != nil else {
            throw StoreError.notAllowed(path: url.path, operation: "write to", reason: "it was opened read-only")
        }
        if openTransaction?.isActive == true { throw StoreError.transactionInProgress(path: url.path) }
        let transaction = LevelDBTransaction(handle: handle) { [weak self] in self?.cachedCount = nil }
        openTransaction = transaction
        return transaction
    }

    func finish() throws {
        guard let build else {
            _ = try openHandle("finish")  // a second finish() is an error, not a silent no-op
            return close()
        }
        let handle = try openHandle("finish")
        if openTransaction?.isActive == true { throw StoreError.transactionInProgress(path: url.path) }
        try handle.sync()
        try StoreDigest.record(self, in: build.partialURL)
        self.handle = nil  // closes the database (and releases its LOCK) unless a cursor still holds it
        self.build = nil
        try build.publish()
    }

    func close() {
        openTransaction?.abort()
        handle = nil
        build = nil
    }

    private func openHandle(_ operation: String) throws -> _LevelDBHandle {
        guard let handle else {
            throw StoreError.notAllowed(path: url.path, operation: operation, reason: "the store is already closed")
        }
        return handle
    }
}

/// A write transaction on LevelDB: a `leveldb_writebatch_t` applied by one `leveldb_write`.
///
/// The batch lives in memory until `commit()`, so very large transactions cost their size in RAM; Caffe
/// commits every 1,000 records.
final class LevelDBTransaction: StoreTransaction {
    private let handle: _LevelDBHandle
    private var batch: OpaquePointer?
    private let didCommit: () -> Void

    init(handle: _LevelDBHandle, didCommit: @escaping () -> Void) {
        self.handle = handle
        self.batch = leveldb_writebatch_create()
        self.didCommit = didCommit
    }

    deinit { abort() }

    /// True until the transaction is committed or aborted.
    var isActive: Bool { batch != nil }

    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        guard let batch else { throw finishedError("put") }
        leveldb_writebatch_put(
            batch, key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count,
            value.baseAddress?.assumingMemoryBound(to: CChar.self), value.count)
    }

    func commit() throws {
        guard let batch else { throw finishedError("commit") }
        defer { abort() }
        try handle.write(batch)
        didCommit()
    }

    func abort() {
        if let batch { leveldb_writebatch_destroy(batch) }
        batch = nil
    }

    private func finishedError(_ operation: String) -> StoreError {
        .notAllowed(
            path: handle.url.path, operation: operation, reason: "the transaction was already committed or aborted")
    }
}
