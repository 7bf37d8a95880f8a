import Foundation
import MitosisStore
import Testing

/// A finished database carries the digest of its records (`mitosis-digest.txt`); `StoreDigest.verify` (run
/// before training reads it) refuses one whose records changed after it was written.
@Suite("Digest files of finished databases")
struct DigestFileTests {
    @Test("a finished database records its digest and verifies", arguments: StoreBackend.allCases)
    func recordedAndVerified(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("DB_train_1")
            let records = randomRecords(40, seed: 3)
            try build(url, backend: backend, records: records)
            let text = try String(contentsOf: url.appendingPathComponent(StoreDigest.fileName), encoding: .utf8)
            var expected = StoreDigest()
            for r in keyOrder(records) { expected.add(r) }
            #expect(text == "fnv1a64 \(expected.hex) 40\n")
            try StoreDigest.verify(url, backend: backend)
        }
    }

    /// One value byte changed inside LMDB's data file (LMDB itself checks nothing): refused, named.
    @Test("a record changed after writing is refused by its digest")
    func changedRecordRefused() throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("DB_train_1")
            let value = [UInt8](repeating: 0xA5, count: 64) + Array("marker-of-record-7".utf8)
            try build(url, backend: .lmdb, records: [StoreRecord(key: Array("00000007_x".utf8), value: value)] + randomRecords(20, seed: 4))
            let data = url.appendingPathComponent("data.mdb")
            var bytes = try Data(contentsOf: data)
            let at = try #require(bytes.range(of: Data("marker-of-record-7".utf8)))
            bytes[at.lowerBound] ^= 0x20
            try bytes.write(to: data)
            let error = #expect(throws: StoreError.self) { try StoreDigest.verify(url, backend: .lmdb) }
            #expect(error?.description.contains(url.path) == true && error?.description.contains("changed after it was written") == true)
            #expect(error?.hint.contains("delete it and re-run") == true)
        }
    }

    /// A digest file that is not ours is an error too; a database without one (Caffe's) is not checked.
    @Test("an unreadable digest file is named; no digest file is not checked")
    func unreadableOrAbsent() throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            try build(url, backend: .lmdb, records: randomRecords(5, seed: 5))
            let file = url.appendingPathComponent(StoreDigest.fileName)
            try Data("garbage".utf8).write(to: file)
            #expect(throws: StoreError.self) { try StoreDigest.verify(url, backend: .lmdb) }
            try FileManager.default.removeItem(at: file)
            try StoreDigest.verify(url, backend: .lmdb)
        }
    }
}
