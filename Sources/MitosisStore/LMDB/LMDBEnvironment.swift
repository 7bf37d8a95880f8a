// LMDB: the C library behind Caffe's default `-backend lmdb`. The database is a directory holding
// `data.mdb` and `lock.mdb` (MDB_NOSUBDIR off), like Caffe's.
import CLMDB
import Foundation

/// An open LMDB environment and its main database; closed when the last store, transaction or cursor using
/// it is released. Not API.
final class _LMDBEnvironment {
    /// 1 TiB of address space on 64-bit systems (sparse: the file grows only as data is written), as Caffe
    /// used to set; the pipeline's largest databases are a few GB.
    static let mapSize: Int = MemoryLayout<Int>.size == 8 ? 1 << 40 : 1 << 30

    let handle: OpaquePointer
    let dbi: MDB_dbi
    let url: URL

    /// Opens the environment in `directory`; `url` is the path named in errors.
    init(directory: URL, readOnly: Bool, url: URL) throws {
        self.url = url
        var env: OpaquePointer?
        try Self.check(mdb_env_create(&env), "mdb_env_create", url)
        guard let env else {
            throw StoreError.library(
                path: url.path, backend: .lmdb, operation: "mdb_env_create", code: nil, message: "no environment")
        }
        // NOTLS: read transactions may move between threads. Writers skip per-commit fsync (NOSYNC) because an
        // unfinished build is discarded anyway; finish() syncs once before publishing.
        var flags = UInt32(MDB_NOTLS)
        flags |= readOnly ? UInt32(MDB_RDONLY) : UInt32(MDB_NOSYNC)
        do {
            if !readOnly { try Self.check(mdb_env_set_mapsize(env, Self.mapSize), "mdb_env_set_mapsize", url) }
            try Self.check(mdb_env_open(env, directory.path, flags, 0o664), "mdb_env_open", url)
            self.dbi = try Self.openMainDatabase(env, readOnly: readOnly, url: url)
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
    }

    deinit { mdb_env_close(handle) }

    /// Flushes all committed data to disk.
    func sync() throws {
        try Self.check(mdb_env_sync(handle, 1), "mdb_env_sync", url)
    }

    /// Number of records in the main database.
    func count() throws -> Int {
        let txn = try beginTransaction(readOnly: true)
        defer { mdb_txn_abort(txn) }
        var stat = MDB_stat()
        try Self.check(mdb_stat(txn, dbi, &stat), "mdb_stat", url)
        return Int(stat.ms_entries)
    }

    func beginTransaction(readOnly: Bool) throws -> OpaquePointer {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn), "mdb_txn_begin", url)
        return txn!
    }

    private static func openMainDatabase(_ env: OpaquePointer, readOnly: Bool, url: URL) throws -> MDB_dbi {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn), "mdb_txn_begin", url)
        var dbi: MDB_dbi = 0
        let status = mdb_dbi_open(txn, nil, 0, &dbi)
        guard status == MDB_SUCCESS else {
            mdb_txn_abort(txn)
            try check(status, "mdb_dbi_open", url)
            return dbi
        }
        try check(mdb_txn_commit(txn), "mdb_txn_commit", url)
        return dbi
    }

    /// Throws a `StoreError.library` carrying `mdb_strerror` unless `status` is MDB_SUCCESS.
    static func check(_ status: Int32, _ operation: String, _ url: URL) throws {
        guard status != MDB_SUCCESS else { return }
        throw StoreError.library(
            path: url.path, backend: .lmdb, operation: operation, code: status,
            message: String(cString: mdb_strerror(status)))
    }
}
