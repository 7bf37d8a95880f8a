import CLevelDB
import Foundation

extension _LevelDBHandle: _StoreEngine {}

/// A `KeyValueStore` on LevelDB.
final class LevelDBStore: KeyValueStore {
    private let life: _StoreLifecycle<_LevelDBHandle>
    var url: URL { life.url }
    var backend: StoreBackend { .leveldb }
    var isWritable: Bool { life.isWritable }
    private var cachedCount: Int?

    /// Opens a finished database for reading.
    init(readingAt url: URL) throws {
        life = _StoreLifecycle(reading: url, engine: try _LevelDBHandle(directory: url, create: false, url: url))
    }

    /// Creates an empty database in the build's `.partial` directory.
    init(building build: _StagedBuild) throws {
        life = _StoreLifecycle(building: build, engine: try _LevelDBHandle(directory: build.partialURL, create: true, url: build.finalURL))
    }

    deinit { close() }

    /// LevelDB keeps no record count, so this scans the keys once (cached while nothing is written).
    func count() throws -> Int {
        let handle = try life.open("count")
        if let cachedCount { return cachedCount }
        let cursor = LevelDBCursor(handle: handle)
        var count = 0
        while try cursor.advance() { count += 1 }
        cachedCount = count
        return count
    }

    func makeCursor() throws -> any StoreCursor { LevelDBCursor(handle: try life.open("read")) }

    func beginTransaction() throws -> any StoreTransaction {
        try life.beginTransaction { LevelDBTransaction(handle: $0) { [weak self] in self?.cachedCount = nil } }
    }

    func finish() throws { try life.finish(self) }

    func close() { life.close() }
}

/// A write transaction on LevelDB: a `leveldb_writebatch_t` applied by one `leveldb_write`.
///
/// The batch lives in memory until `commit()`, so very large transactions cost their size in RAM; Caffe
/// commits every 1,000 records.
final class LevelDBTransaction: _EngineTransaction {
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
