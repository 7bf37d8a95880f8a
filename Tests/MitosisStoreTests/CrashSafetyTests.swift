import Foundation
import MitosisStore
import Testing

@Suite("Crash safety and overwrite rules")
struct CrashSafetyTests {
    @Test("an unfinished build leaves no database at the final path", arguments: StoreBackend.allCases)
    func interruptedBuild(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("DB_train_w32_1")
            // Simulates a crash: records committed, but finish() never called.
            var writer: (any KeyValueStore)? = try openStore(at: url, backend: backend, access: .create(overwrite: false))
            try writer!.write(randomRecords(50, seed: 5))
            #expect(!FileManager.default.fileExists(atPath: url.path))
            writer = nil
            _ = writer

            #expect(!FileManager.default.fileExists(atPath: url.path))
            #expect(FileManager.default.fileExists(atPath: url.path + ".partial"))
            let error = #expect(throws: StoreError.self) {
                try openStore(at: url, backend: backend, access: .readOnly)
            }
            #expect(error == .interrupted(path: url.path, partialPath: url.path + ".partial"))
            #expect(error?.description.contains("interrupted") == true)
            #expect(error?.hint.contains("re-run") == true)

            // Re-running the build replaces the leftover.
            try build(url, backend: backend, records: randomRecords(8, seed: 6))
            #expect(try readAll(url, backend: backend).count == 8)
            #expect(!FileManager.default.fileExists(atPath: url.path + ".partial"))
        }
    }

    @Test("an existing database is refused without overwrite and kept intact", arguments: StoreBackend.allCases)
    func refuseExisting(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let original = randomRecords(10, seed: 1)
            try build(url, backend: backend, records: original)
            #expect(throws: StoreError.alreadyExists(path: url.path)) {
                try openStore(at: url, backend: backend, access: .create(overwrite: false))
            }
            #expect(try readAll(url, backend: backend) == keyOrder(original))
        }
    }

    @Test("overwrite replaces the database only when the new one is finished", arguments: StoreBackend.allCases)
    func overwrite(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let original = randomRecords(10, seed: 1)
            try build(url, backend: backend, records: original)

            let writer = try openStore(at: url, backend: backend, access: .create(overwrite: true))
            try writer.write(randomRecords(3, seed: 2))
            #expect(try readAll(url, backend: backend) == keyOrder(original))  // still the old one
            writer.close()  // abandoned: the old database survives
            #expect(try readAll(url, backend: backend) == keyOrder(original))

            let replacement = randomRecords(4, seed: 3)
            try build(url, backend: backend, records: replacement, overwrite: true)
            #expect(try readAll(url, backend: backend) == keyOrder(replacement))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["db"])
        }
    }

    @Test("overwrite does not delete a directory that is not a database")
    func overwriteRefusesForeignDirectory() throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("photos")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try Data([1]).write(to: url.appendingPathComponent("keep.jpg"))
            #expect(throws: StoreError.self) { try openStore(at: url, access: .create(overwrite: true)) }
            #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent("keep.jpg").path))
        }
    }
}

@Suite("Errors on bad input")
struct StoreErrorTests {
    @Test("opening a missing database fails with notFound", arguments: StoreBackend.allCases)
    func missing(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory throws in
            let url = directory.path("nothing-here")
            #expect(throws: StoreError.notFound(path: url.path)) {
                try openStore(at: url, backend: backend, access: .readOnly)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
        }
    }

    @Test("a directory that is not a database is reported, not crashed on, and left untouched",
          arguments: StoreBackend.allCases)
    func notADatabase(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.url
            try Data("hello".utf8).write(to: directory.path("notes.txt"))
            let error = #expect(throws: StoreError.self) { try openStore(at: url, backend: backend, access: .readOnly) }
            guard case .notADatabase(let path, let reported, _) = error else {
                Issue.record("expected notADatabase, got \(String(describing: error))")
                return
            }
            #expect(path == url.path && reported == backend)
            #expect(try FileManager.default.contentsOfDirectory(atPath: url.path) == ["notes.txt"])

            #expect(throws: StoreError.self) {
                try openStore(at: directory.path("notes.txt"), backend: backend, access: .readOnly)
            }
        }
    }

    @Test("opening with the wrong backend hints at the right one", arguments: StoreBackend.allCases)
    func wrongBackend(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            try build(url, backend: backend, records: randomRecords(2, seed: 1))
            let other: StoreBackend = backend == .lmdb ? .leveldb : .lmdb
            let error = #expect(throws: StoreError.self) { try openStore(at: url, backend: other, access: .readOnly) }
            #expect(error?.hint.contains("looks like a \(backend.name) database") == true)
        }
    }

    @Test("a damaged LMDB file gives the library's message")
    func corruptLMDB() throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try Data(repeating: 0xAB, count: 16384).write(to: url.appendingPathComponent("data.mdb"))
            let error = #expect(throws: StoreError.self) { try openStore(at: url, backend: .lmdb, access: .readOnly) }
            guard case .library(_, .lmdb, let operation, _, let message) = error else {
                Issue.record("expected a library error, got \(String(describing: error))")
                return
            }
            #expect(operation == "mdb_env_open" && !message.isEmpty)
        }
    }

    @Test("writes to a read-only store, a second open transaction and use after commit are errors",
          arguments: StoreBackend.allCases)
    func misuse(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let writer = try openStore(at: url, backend: backend, access: .create(overwrite: false))
            let transaction = try writer.beginTransaction()
            #expect(throws: StoreError.transactionInProgress(path: url.path)) { try writer.beginTransaction() }
            #expect(throws: StoreError.transactionInProgress(path: url.path)) { try writer.finish() }
            try transaction.put(key: "a", value: [1])
            try transaction.commit()
            #expect(throws: StoreError.self) { try transaction.put(key: "b", value: [2]) }
            #expect(throws: StoreError.self) { try transaction.commit() }
            try writer.finish()
            #expect(throws: StoreError.self) { try writer.beginTransaction() }
            #expect(throws: StoreError.self) { try writer.finish() }

            let reader = try openStore(at: url, backend: backend, access: .readOnly)
            #expect(throws: StoreError.self) { try reader.beginTransaction() }
        }
    }

    @Test("an LMDB write transaction used from another thread is refused, not a corrupted lock")
    func lmdbTransactionThread() throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let writer = try openStore(at: url, backend: .lmdb, access: .create(overwrite: false))
            let transaction = try writer.beginTransaction()
            try transaction.put(key: "a", value: [1])
            nonisolated(unsafe) var failure: Error?
            let done = DispatchSemaphore(value: 0)
            Thread {
                do { try transaction.commit() } catch { failure = error }
                done.signal()
            }.start()
            done.wait()
            #expect(failure is StoreError)
            try transaction.commit()
            try writer.finish()
            #expect(try readAll(url, backend: .lmdb).count == 1)
        }
    }

    @Test("LMDB's key size limit is an error, not a crash")
    func oversizedKey() throws {
        try withTemporaryDirectory { directory in
            let writer = try openStore(at: directory.path("db"), backend: .lmdb, access: .create(overwrite: false))
            let transaction = try writer.beginTransaction()
            #expect(throws: StoreError.self) {
                try transaction.put(key: [UInt8](repeating: 65, count: 600), value: [1])
            }
        }
    }
}

@Suite("Backend names")
struct StoreBackendTests {
    @Test func parsing() throws {
        #expect(StoreBackend("lmdb") == .lmdb)
        #expect(StoreBackend("LevelDB") == .leveldb)
        #expect(StoreBackend(" LMDB ") == .lmdb)
        #expect(StoreBackend("rocksdb") == nil)
        #expect(try StoreBackend(parsing: "LEVELDB") == .leveldb)
        #expect(throws: StoreError.unknownBackend(name: "sqlite")) { try StoreBackend(parsing: "sqlite") }
        #expect(StoreBackend.allCases.map(\.description) == ["lmdb", "leveldb"])
    }
}
