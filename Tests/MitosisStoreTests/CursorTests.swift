import Foundation
import MitosisStore
import Testing

@Suite("Cursors")
struct CursorTests {
    @Test("nextWrapping starts over after the last record, as Caffe's data layer does", arguments: StoreBackend.allCases)
    func wrapAround(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let records = randomRecords(5, seed: 7)
            try build(url, backend: backend, records: records)
            let expected = keyOrder(records)

            let store = try openStore(at: url, backend: backend, access: .readOnly)
            let cursor = try store.makeCursor()
            var seen: [StoreRecord] = []
            for _ in 0..<12 { seen.append(try cursor.nextWrapping()) }
            #expect(seen == expected + expected + Array(expected.prefix(2)))
        }
    }

    @Test("first() rewinds; next() stays at the end until then", arguments: StoreBackend.allCases)
    func firstAndNext(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let records = keyOrder(randomRecords(3, seed: 9))
            try build(url, backend: backend, records: records)

            let cursor = try openStore(at: url, backend: backend, access: .readOnly).makeCursor()
            #expect(try cursor.next() == records[0])  // a new cursor starts before the first record
            #expect(try cursor.next() == records[1])
            #expect(try cursor.first() == records[0])
            #expect(try cursor.next() == records[1])
            #expect(try cursor.next() == records[2])
            #expect(try cursor.next() == nil)
            #expect(try cursor.next() == nil)
            #expect(try cursor.first() == records[0])
        }
    }

    @Test("a cursor keeps working after its store is closed", arguments: StoreBackend.allCases)
    func outlivesStore(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let records = keyOrder(randomRecords(4, seed: 11))
            try build(url, backend: backend, records: records)
            let store = try openStore(at: url, backend: backend, access: .readOnly)
            let cursor = try store.makeCursor()
            store.close()
            var seen: [StoreRecord] = []
            while let record = try cursor.next() { seen.append(record) }
            #expect(seen == records)
        }
    }

    @Test("Caffe keys sort in shuffled-list order")
    func caffeKeys() {
        #expect(StoreKey.caffe(index: 0, name: "PP_II_0_p_3_90.png") == "00000000_PP_II_0_p_3_90.png")
        #expect(StoreKey.caffe(index: 1234, name: "a/b.png") == "00001234_a/b.png")
        #expect(StoreKey.caffe(index: 123_456_789, name: "x") == "123456789_x")
        let keys = [9, 10, 100, 2, 99_999].map { StoreKey.caffe(index: $0, name: "zz") }
        #expect(keys.sorted() == [2, 9, 10, 100, 99_999].map { StoreKey.caffe(index: $0, name: "zz") })
    }
}
