import CLMDB
import Foundation

/// A cursor on LMDB: an `MDB_cursor` inside a read transaction that lives as long as the cursor, so it sees
/// the records committed when it was made.
final class LMDBCursor: StoreCursor {
    private let environment: _LMDBEnvironment
    private let txn: OpaquePointer
    private let cursor: OpaquePointer
    private var positioned = false

    var storeURL: URL { environment.url }

    init(environment: _LMDBEnvironment) throws {
        self.environment = environment
        let txn = try environment.beginTransaction(readOnly: true)
        var cursor: OpaquePointer?
        let status = mdb_cursor_open(txn, environment.dbi, &cursor)
        guard status == MDB_SUCCESS, let cursor else {
            mdb_txn_abort(txn)
            try _LMDBEnvironment.check(status, "mdb_cursor_open", environment.url)
            throw StoreError.library(
                path: environment.url.path, backend: .lmdb, operation: "mdb_cursor_open", code: nil, message: "no cursor")
        }
        self.txn = txn
        self.cursor = cursor
    }

    deinit {
        mdb_cursor_close(cursor)
        mdb_txn_abort(txn)
    }

    func first() throws -> StoreRecord? {
        positioned = true
        return try move(MDB_FIRST)
    }

    func next() throws -> StoreRecord? {
        guard positioned else { return try first() }
        return try move(MDB_NEXT)
    }

    private func move(_ operation: MDB_cursor_op) throws -> StoreRecord? {
        var key = MDB_val()
        var value = MDB_val()
        let status = mdb_cursor_get(cursor, &key, &value, operation)
        if status == MDB_NOTFOUND { return nil }
        try _LMDBEnvironment.check(status, "mdb_cursor_get", environment.url)
        return StoreRecord(key: Self.bytes(key), value: Self.bytes(value))
    }

    private static func bytes(_ val: MDB_val) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: val.mv_data, count: val.mv_size))
    }
}
