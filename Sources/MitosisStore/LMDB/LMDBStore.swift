import CLMDB
import Foundation

extension _LMDBEnvironment: _StoreEngine {}

/// A `KeyValueStore` on LMDB.
final class LMDBStore: KeyValueStore {
    private let life: _StoreLifecycle<_LMDBEnvironment>
    var url: URL { life.url }
    var backend: StoreBackend { .lmdb }
    var isWritable: Bool { life.isWritable }

    /// Opens a finished database for reading.
    init(readingAt url: URL) throws {
        life = _StoreLifecycle(reading: url, engine: try _LMDBEnvironment(directory: url, readOnly: true, url: url))
    }

    /// Creates an empty database in the build's `.partial` directory.
    init(building build: _StagedBuild) throws {
        life = _StoreLifecycle(building: build, engine: try _LMDBEnvironment(directory: build.partialURL, readOnly: false, url: build.finalURL))
    }

    deinit { close() }

    func count() throws -> Int { try life.open("count").count() }

    func makeCursor() throws -> any StoreCursor { try LMDBCursor(environment: life.open("read")) }

    func beginTransaction() throws -> any StoreTransaction {
        try life.beginTransaction { try LMDBTransaction(environment: $0) }
    }

    func finish() throws { try life.finish(self) }

    func close() { life.close() }
}

/// A write transaction on LMDB: `mdb_put`s inside one `MDB_txn`.
///
/// LMDB's write lock is a mutex owned by the thread that began the transaction, so `put` and `commit` refuse
/// to run on any other thread (rather than corrupt the lock).
final class LMDBTransaction: _EngineTransaction {
    private let environment: _LMDBEnvironment
    private var txn: OpaquePointer?
    private let owner = pthread_self()

    init(environment: _LMDBEnvironment) throws {
        self.environment = environment
        self.txn = try environment.beginTransaction(readOnly: false)
    }

    deinit { abort() }

    /// True until the transaction is committed or aborted.
    var isActive: Bool { txn != nil }

    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        guard let txn else { throw finishedError("put") }
        try checkThread("put")
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try _LMDBEnvironment.check(mdb_put(txn, environment.dbi, &k, &v, 0), "mdb_put", environment.url)
    }

    func commit() throws {
        guard let txn else { throw finishedError("commit") }
        try checkThread("commit")
        self.txn = nil  // LMDB frees the transaction even when commit fails
        try _LMDBEnvironment.check(mdb_txn_commit(txn), "mdb_txn_commit", environment.url)
    }

    func abort() {
        if let txn { mdb_txn_abort(txn) }
        txn = nil
    }

    private func checkThread(_ operation: String) throws {
        if pthread_equal(owner, pthread_self()) != 0 { return }
        throw StoreError.notAllowed(
            path: environment.url.path, operation: operation,
            reason: "an LMDB write transaction must stay on the thread that began it"
                + " (do not await between begin and commit)")
    }

    private func finishedError(_ operation: String) -> StoreError {
        .notAllowed(
            path: environment.url.path, operation: operation,
            reason: "the transaction was already committed or aborted")
    }
}
