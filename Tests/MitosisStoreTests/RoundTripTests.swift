import Foundation
import MitosisStore
import Testing

@Suite("Writing and reading back")
struct RoundTripTests {
    @Test("records come back in key order with the right count", arguments: StoreBackend.allCases, [1, 37, 1000])
    func roundTrip(backend: StoreBackend, batch: Int) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("DB_train_w32_1")
            let records = randomRecords(500, seed: 42)
            try build(url, backend: backend, records: records, batch: batch)

            let store = try openStore(at: url, backend: backend, access: .readOnly)
            #expect(try store.count() == 500)
            #expect(store.backend == backend)
            #expect(!store.isWritable)
            store.close()
            #expect(try readAll(url, backend: backend) == keyOrder(records))
            #expect(StoreBackend.detect(at: url) == backend)
        }
    }

    @Test("the database is a directory like Caffe's", arguments: StoreBackend.allCases)
    func layout(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            try build(url, backend: backend, records: randomRecords(3, seed: 1))
            let files = try FileManager.default.contentsOfDirectory(atPath: url.path)
            switch backend {
            case .lmdb: #expect(Set(files) == ["data.mdb", "lock.mdb", StoreDigest.fileName])  // Caffe reads the folder; it ignores the digest
            case .leveldb: #expect(files.contains("CURRENT"))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["db"])
        }
    }

    @Test("a writer counts and reads its committed records, not uncommitted ones", arguments: StoreBackend.allCases)
    func readWhileWriting(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let store = try openStore(at: directory.path("db"), backend: backend, access: .create(overwrite: false))
            #expect(store.isWritable)
            try store.write(randomRecords(10, seed: 3))
            let pending = try store.beginTransaction()
            try pending.put(key: "zzz", value: [1, 2, 3])
            #expect(try store.count() == 10)
            pending.abort()
            #expect(try store.count() == 10)
            try store.finish()
            #expect(!store.isWritable)
            #expect(throws: StoreError.self) { try store.count() }
        }
    }

    @Test("put replaces the value of an existing key", arguments: StoreBackend.allCases)
    func replace(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let store = try openStore(at: url, backend: backend, access: .create(overwrite: false))
            try store.write([StoreRecord(key: [1], value: [1]), StoreRecord(key: [1], value: [2])])
            try store.finish()
            #expect(try readAll(url, backend: backend) == [StoreRecord(key: [1], value: [2])])
        }
    }

    @Test("an empty database opens, counts zero and has no first record", arguments: StoreBackend.allCases)
    func empty(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            try build(url, backend: backend, records: [])
            let store = try openStore(at: url, backend: backend, access: .readOnly)
            #expect(try store.count() == 0)
            let cursor = try store.makeCursor()
            #expect(try cursor.first() == nil)
            #expect(try cursor.next() == nil)
            #expect(throws: StoreError.empty(path: url.path)) { try cursor.nextWrapping() }
        }
    }

    @Test("20,000 records of 3,083 bytes in one transaction", arguments: StoreBackend.allCases)
    func largeTransaction(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let count = 20_000
            let store = try openStore(at: url, backend: backend, access: .create(overwrite: false))
            let transaction = try store.beginTransaction()
            var value = [UInt8](repeating: 0, count: 3083)  // 3x32x32 Datum plus its header
            for index in 0..<count {
                withUnsafeBytes(of: UInt32(index)) { value.replaceSubrange(0..<4, with: $0) }
                try transaction.put(key: StoreKey.caffe(index: index, name: "p.png"), value: value)
            }
            try transaction.commit()
            try store.finish()

            let reader = try openStore(at: url, backend: backend, access: .readOnly)
            #expect(try reader.count() == count)
            let cursor = try reader.makeCursor()
            var seen = 0
            while let record = try cursor.next() {
                let stored = record.value.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                if stored != UInt32(seen) || record.value.count != 3083 { break }
                seen += 1
            }
            #expect(seen == count)
        }
    }
}
