import CLevelDB
import Foundation

/// A cursor on LevelDB: a `leveldb_iterator_t`, which reads an implicit snapshot taken when it was made.
final class LevelDBCursor: StoreCursor {
    private let handle: _LevelDBHandle
    private let iterator: OpaquePointer
    private var positioned = false

    var storeURL: URL { handle.url }

    init(handle: _LevelDBHandle) {
        self.handle = handle
        self.iterator = handle.makeIterator()
    }

    deinit { leveldb_iter_destroy(iterator) }

    func first() throws -> StoreRecord? {
        leveldb_iter_seek_to_first(iterator)
        positioned = true
        return try current()
    }

    func next() throws -> StoreRecord? {
        try advance() ? current() : nil
    }

    /// Moves to the next record (the first on a new cursor) without copying it; false past the last.
    func advance() throws -> Bool {
        if !positioned {
            leveldb_iter_seek_to_first(iterator)
            positioned = true
        } else if leveldb_iter_valid(iterator) != 0 {
            leveldb_iter_next(iterator)
        } else {
            return false  // stays past the end until first()
        }
        try checkError()
        return leveldb_iter_valid(iterator) != 0
    }

    private func current() throws -> StoreRecord? {
        try checkError()
        guard leveldb_iter_valid(iterator) != 0 else { return nil }
        var keyLength = 0
        var valueLength = 0
        let key = leveldb_iter_key(iterator, &keyLength)
        let value = leveldb_iter_value(iterator, &valueLength)
        return StoreRecord(
            key: Array(UnsafeRawBufferPointer(start: key, count: keyLength)),
            value: Array(UnsafeRawBufferPointer(start: value, count: valueLength)))
    }

    private func checkError() throws {
        var error: UnsafeMutablePointer<CChar>?
        leveldb_iter_get_error(iterator, &error)
        try _LevelDBHandle.check(error, "iterate", handle.url)
    }
}
