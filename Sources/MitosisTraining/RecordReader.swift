// Where a data layer's records come from: a patch database read in key order, starting over after the
// last record (Caffe's `DataLayer`: `cursor->Next(); if (!cursor->valid()) cursor->SeekToFirst();`), or
// records held in memory for tests.
import MitosisStore

/// An endless sequence of serialized `Datum` records. Used by one thread at a time. Not API.
protocol _RecordReader: AnyObject {
    /// What the records are read from, for error messages.
    var name: String { get }
    /// The next record, wrapping around after the last.
    func next() throws -> StoreRecord
}

/// Records of a database, in key order, wrapping around. Not API.
final class _StoreRecordReader: _RecordReader {
    private let cursor: any StoreCursor
    let name: String

    init(store: any KeyValueStore) throws {
        cursor = try store.makeCursor()
        name = store.url.path
    }

    func next() throws -> StoreRecord { try cursor.nextWrapping() }
}

/// Records held in memory, in order, wrapping around. Not API.
final class _MemoryRecordReader: _RecordReader {
    private let records: [StoreRecord]
    private var position = 0
    let name = "<memory>"

    init(_ records: [StoreRecord]) {
        precondition(!records.isEmpty, "_MemoryRecordReader: no records")
        self.records = records
    }

    func next() throws -> StoreRecord {
        defer { position = (position + 1) % records.count }
        return records[position]
    }
}

/// The records of one side of a fold in database order (`ShuffledPatches`), serialized as step 3 writes
/// them, wrapping around: training straight from the patch archives reads what the database would hold.
/// Not API.
final class _PatchRecordReader: _RecordReader {
    private let records: ShuffledPatches
    private var position = 0
    let name: String

    init(_ records: ShuffledPatches, name: String) {
        precondition(records.count > 0, "_PatchRecordReader: no records")
        self.records = records
        self.name = name
    }

    func next() throws -> StoreRecord {
        defer { position = (position + 1) % records.count }
        return StoreRecord(key: Array(records.key(position).utf8), value: records.value(position))
    }
}
