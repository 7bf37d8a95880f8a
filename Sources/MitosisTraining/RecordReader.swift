// Where a data layer's records come from: a patch database read in key order, starting over after the
// last record (Caffe's `DataLayer`: `cursor->Next(); if (!cursor->valid()) cursor->SeekToFirst();`), or
// records held in memory for tests.
import MitosisSupport
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

/// Records in database order held outside a database: what training reads straight from patch archives
/// (the pipeline's `ShuffledPatches`: one side of a fold in the order step 3 would write it).
public protocol RecordSource: Sendable {
    /// How many records there are.
    var count: Int { get }
    /// The database key of the `n`-th record (`%08d_<name>`).
    func key(_ n: Int) -> String
    /// The `n`-th record, a serialized Caffe `Datum`.
    func value(_ n: Int) -> [UInt8]
}

/// The records of a `RecordSource`, serialized as a database would hold them, wrapping around: training
/// straight from the patch archives reads what the database would hold. Not API.
final class _PatchRecordReader: _RecordReader {
    private let records: any RecordSource
    private var position = 0
    let name: String

    init(_ records: any RecordSource, name: String) {
        precondition(records.count > 0, "_PatchRecordReader: no records")
        self.records = records
        self.name = name
    }

    func next() throws -> StoreRecord {
        defer { position = (position + 1) % records.count }
        return StoreRecord(key: Array(records.key(position).utf8), value: records.value(position))
    }
}
