import Foundation
import MitosisStore

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("MitosisStoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory (not created).
    func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a temporary directory that is removed afterwards, even if `body` throws.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) throws -> T) throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try body(directory)
}

/// SplitMix64: a small seeded generator so test data is random-looking but reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                withUnsafeBytes(of: next()) { word in
                    let n = min(8, buffer.count - offset)
                    buffer.baseAddress!.advanced(by: offset).copyMemory(from: word.baseAddress!, byteCount: n)
                    offset += n
                }
            }
        }
        return result
    }
}

/// `count` records with Caffe-style keys in shuffled write order, and random values of 1...`maxValue` bytes.
/// Returned in write order; sort by key for the expected read order.
func randomRecords(_ count: Int, seed: UInt64, maxValue: Int = 200) -> [StoreRecord] {
    var generator = SeededGenerator(state: seed)
    let order = (0..<count).shuffled(using: &generator)
    return order.map { index in
        let key = StoreKey.caffe(index: index, name: "PP_\(index % 7)_p_\(index)_90.png")
        let length = Int.random(in: 1...maxValue, using: &generator)
        return StoreRecord(key: Array(key.utf8), value: generator.bytes(length))
    }
}

/// Writes `records` in transactions of `batch` records and publishes the store.
func build(
    _ url: URL, backend: StoreBackend, records: [StoreRecord], batch: Int = 1000, overwrite: Bool = false
) throws {
    let store = try openStore(at: url, backend: backend, access: .create(overwrite: overwrite))
    var start = 0
    while start < records.count {
        try store.write(records[start..<min(start + batch, records.count)])
        start += batch
    }
    try store.finish()
}

/// Every record of the finished store at `url`, in cursor order.
func readAll(_ url: URL, backend: StoreBackend) throws -> [StoreRecord] {
    let store = try openStore(at: url, backend: backend, access: .readOnly)
    defer { store.close() }
    var records: [StoreRecord] = []
    try store.forEachRecord { records.append($0) }
    return records
}

/// The records in the order a store returns them: ascending byte order of the keys.
func keyOrder(_ records: [StoreRecord]) -> [StoreRecord] {
    records.sorted { $0.key.lexicographicallyPrecedes($1.key) }
}
