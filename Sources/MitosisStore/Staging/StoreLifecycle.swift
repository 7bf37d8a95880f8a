import Foundation

/// An open engine handle (LMDB's environment, LevelDB's database) as the shared lifecycle sees it. Not API.
protocol _StoreEngine: AnyObject {
    /// Flushes committed writes to disk.
    func sync() throws
}

/// A write transaction as the shared lifecycle sees it. Not API.
protocol _EngineTransaction: StoreTransaction {
    /// True until the transaction is committed or aborted.
    var isActive: Bool { get }
}

/// What LMDB and LevelDB stores share: the open handle, the staged build of a writer, one transaction at a
/// time, `finish()` (sync, digest, publish the `.partial` folder) and `close()`. Each store adds its
/// engine's reads and transactions. Not API.
final class _StoreLifecycle<Engine: _StoreEngine> {
    let url: URL
    private var engine: Engine?
    private var build: _StagedBuild?
    private weak var openTransaction: (any _EngineTransaction)?

    /// A reader of the finished database at `url`.
    init(reading url: URL, engine: Engine) {
        self.url = url
        self.engine = engine
    }

    /// A writer into `build`'s `.partial` folder.
    init(building build: _StagedBuild, engine: Engine) {
        self.url = build.finalURL
        self.build = build
        self.engine = engine
    }

    var isWritable: Bool { build != nil && engine != nil }

    /// The engine, for `operation` (named in the error when the store is closed).
    func open(_ operation: String) throws -> Engine {
        guard let engine else {
            throw StoreError.notAllowed(path: url.path, operation: operation, reason: "the store is already closed")
        }
        return engine
    }

    /// Starts the only write transaction, made by `make` on the open engine.
    func beginTransaction<T: _EngineTransaction>(_ make: (Engine) throws -> T) throws -> T {
        let engine = try open("write to")
        guard build != nil else {
            throw StoreError.notAllowed(path: url.path, operation: "write to", reason: "it was opened read-only")
        }
        if openTransaction?.isActive == true { throw StoreError.transactionInProgress(path: url.path) }
        let transaction = try make(engine)
        openTransaction = transaction
        return transaction
    }

    /// Writer: syncs, records the digest of `store`'s records, closes and publishes the database. Reader:
    /// closes. A second call is an error, not a silent no-op.
    func finish(_ store: any KeyValueStore) throws {
        let engine = try open("finish")
        guard let build else { return close() }
        if openTransaction?.isActive == true { throw StoreError.transactionInProgress(path: url.path) }
        try engine.sync()
        try StoreDigest.record(store, in: build.partialURL)
        self.engine = nil  // closes the engine (and its locks) unless a cursor still holds it
        self.build = nil
        try build.publish()
    }

    /// Aborts an open transaction and releases the store; a writer's `.partial` folder stays, as after a crash.
    func close() {
        openTransaction?.abort()
        engine = nil
        build = nil
    }
}
