import CLMDB
import Foundation

/// A `KeyValueStore` on LMDB.
final class LMDBStore: KeyValueStore {
    let url: URL
    var backend: StoreBackend { .lmdb }
    var isWritable: Bool { build != nil && environment != nil }

    private var environment: _LMDBEnvironment?
    private var build: _StagedBuild?
    private weak var openTransaction: LMDBTransaction?

    /// Opens a finished database for reading.
    init(readingAt url: URL) throws {
        self.url = url
        self.environment = try _LMDBEnvironment(directory: url, readOnly: true, url: url)
    }

    /// Creates an empty database in the build's `.partial` directory.
    init(building build: _StagedBuild) throws {
        self.url = build.finalURL
        self.build = build
        self.environment = try _LMDBEnvironment(directory: build.partialURL, readOnly: false, url: build.finalURL)
    }

    deinit { close() }

    func count() throws -> Int {
        try openEnvironment("count").count()
    }

    func makeCursor() throws -> any StoreCursor {
        try LMDBCursor(environment: openEnvironment("read"))
    }

    func beginTransaction() throws -> any StoreTransaction {
        let environment = try openEnvironment("write to")
        guard build != nil else {
            throw StoreError.notAllowed(path: url.path, operation: "write to", reason: "it was opened read-only")
        }
        if openTransaction?.isActive == true { throw StoreError.transactionInProgress(path: url.path) }
        let transaction = try LMDBTransaction(environment: environment)
        openTransaction = transaction
        return transaction
    }

    func finish() throws {
        guard let build else {
            _ = try openEnvironment("finish")  // a second finish() is an error, not a silent no-op
            return close()
        }
        let environment = try openEnvironment("finish")
        if openTransaction?.isActive == true { throw StoreError.transactionInProgress(path: url.path) }
        try environment.sync()
        try StoreDigest.record(self, in: build.partialURL)
        self.environment = nil  // closes the environment unless a cursor still holds it
        self.build = nil
        try build.publish()
    }

    func close() {
        openTransaction?.abort()
        environment = nil
        build = nil
    }

    private func openEnvironment(_ operation: String) throws -> _LMDBEnvironment {
        guard let environment else {
            throw StoreError.notAllowed(path: url.path, operation: operation, reason: "the store is already closed")
        }
        return environment
    }
}

/// A write transaction on LMDB: `mdb_put`s inside one `MDB_txn`.
///
/// LMDB's write lock is a mutex owned by the thread that began the transaction, so `put` and `commit` refuse
/// to run on any other thread (rather than corrupt the lock).
final class LMDBTransaction: StoreTransaction {
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
