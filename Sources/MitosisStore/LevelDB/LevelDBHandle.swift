// LevelDB: the tutorial's `convert_imageset -backend leveldb`, through the C API in `leveldb/c.h`. The database
// is a directory of table and log files with a `CURRENT` file. LevelDB has no read-only mode: opening takes
// the directory's `LOCK`, so one process at a time, and it needs write access.
import CLevelDB
import Foundation

/// An open LevelDB database; closed when the last store, transaction or cursor using it is released. Not API.
final class _LevelDBHandle {
    let db: OpaquePointer
    let url: URL
    let writeOptions: OpaquePointer
    let readOptions: OpaquePointer

    /// Opens (or, when `create`, creates) the database in `directory`; `url` is the path named in errors.
    init(directory: URL, create: Bool, url: URL) throws {
        self.url = url
        let options = leveldb_options_create()!
        defer { leveldb_options_destroy(options) }
        // Caffe's db_leveldb.cpp settings: 64 KiB blocks, 100 open files. Its 256 MB write buffer is cut to
        // 64 MB here to keep memory low while several folds are built.
        leveldb_options_set_create_if_missing(options, create ? 1 : 0)
        leveldb_options_set_error_if_exists(options, create ? 1 : 0)
        leveldb_options_set_block_size(options, 65536)
        leveldb_options_set_write_buffer_size(options, 64 << 20)
        leveldb_options_set_max_open_files(options, 100)
        var error: UnsafeMutablePointer<CChar>?
        let db = leveldb_open(options, directory.path, &error)
        try Self.check(error, "leveldb_open", url)
        guard let db else {
            throw StoreError.library(
                path: url.path, backend: .leveldb, operation: "leveldb_open", code: nil, message: "no database")
        }
        self.db = db
        self.writeOptions = leveldb_writeoptions_create()!
        self.readOptions = leveldb_readoptions_create()!
        leveldb_readoptions_set_fill_cache(readOptions, 0)  // sequential scans would only evict useful blocks
    }

    deinit {
        leveldb_close(db)
        leveldb_writeoptions_destroy(writeOptions)
        leveldb_readoptions_destroy(readOptions)
    }

    /// Writes `batch` (without fsync; `sync()` makes everything durable).
    func write(_ batch: OpaquePointer) throws {
        var error: UnsafeMutablePointer<CChar>?
        leveldb_write(db, writeOptions, batch, &error)
        try Self.check(error, "leveldb_write", url)
    }

    /// Makes all earlier writes durable: an empty synchronous write fsyncs LevelDB's log.
    func sync() throws {
        let options = leveldb_writeoptions_create()!
        defer { leveldb_writeoptions_destroy(options) }
        leveldb_writeoptions_set_sync(options, 1)
        let batch = leveldb_writebatch_create()!
        defer { leveldb_writebatch_destroy(batch) }
        var error: UnsafeMutablePointer<CChar>?
        leveldb_write(db, options, batch, &error)
        try Self.check(error, "leveldb_write (sync)", url)
    }

    /// A new iterator over a snapshot of the database.
    func makeIterator() -> OpaquePointer {
        leveldb_create_iterator(db, readOptions)!
    }

    /// Throws a `StoreError.library` carrying LevelDB's message if `error` is set, and frees it.
    static func check(_ error: UnsafeMutablePointer<CChar>?, _ operation: String, _ url: URL) throws {
        guard let error else { return }
        let message = String(cString: error)
        leveldb_free(error)
        throw StoreError.library(path: url.path, backend: .leveldb, operation: operation, code: nil, message: message)
    }
}
