// A checksum both this module and `scripts/fixtures/check_store_interop.py` compute, so a database written
// here can be compared with what Python's `lmdb` / `plyvel` read from it (Swift on Linux has no CryptoKit).
import Foundation
import MitosisSupport

/// FNV-1a 64-bit hash over a store's records in key order.
///
/// Each record contributes its key length (8 bytes, little-endian), its key bytes, its value length (8 bytes,
/// little-endian) and its value bytes, so different splits of the same bytes hash differently.
public struct StoreDigest: Hashable, Sendable {
    private var hash = FNV1a64()

    /// The hash so far.
    public var value: UInt64 { hash.value }
    /// Number of records added so far.
    public private(set) var count = 0

    /// An empty digest.
    public init() {}

    /// Adds one record.
    public mutating func add(_ record: StoreRecord) {
        add(key: record.key, value: record.value)
    }

    /// Adds one record given as key and value bytes.
    public mutating func add(key: [UInt8], value: [UInt8]) {
        hash.add(length: key.count)
        hash.add(key)
        hash.add(length: value.count)
        hash.add(value)
        count += 1
    }

    /// The hash as 16 lower-case hex digits, as the interop script prints it.
    public var hex: String { hash.hex }

    /// The digest of every committed record of `store`, in key order.
    public static func of(_ store: any KeyValueStore) throws -> StoreDigest {
        var digest = StoreDigest()
        try store.forEachRecord { digest.add($0) }
        return digest
    }

    // MARK: The digest file

    /// The file a finished mitosis database holds beside its data: `fnv1a64 HEX COUNT`.
    public static let fileName = "mitosis-digest.txt"

    /// Writes the digest of `store`'s records into `folder` (the database's directory).
    static func record(_ store: any KeyValueStore, in folder: URL) throws {
        let digest = try of(store)
        let path = folder.appendingPathComponent(fileName).path
        do {
            try AtomicFile.write(Data("fnv1a64 \(digest.hex) \(digest.count)\n".utf8), to: path)
        } catch {
            throw StoreError.fileSystem(path: path, operation: "write the digest", message: "\(error)")
        }
    }

    /// Checks the finished database at `url` against the digest it was written with. Databases without
    /// one (written by Caffe's tools or an earlier mitosis) are not checked.
    /// - Throws: `StoreError.damaged` when the records are not those the digest was made from.
    public static func verify(_ url: URL, backend: StoreBackend) throws {
        let path = url.appendingPathComponent(fileName).path
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard fields.count == 3, fields[0] == "fnv1a64", let recorded = Int(fields[2]) else {
            throw StoreError.damaged(path: url.path, reason: "its digest file \(path) is unreadable")
        }
        let store = try openStore(at: url, backend: backend, access: .readOnly)
        defer { store.close() }
        let found = try of(store)
        guard found.hex == fields[1], found.count == recorded else {
            throw StoreError.damaged(path: url.path, reason: "its \(found.count) records hash to \(found.hex), not the \(recorded) records hashing to \(fields[1]) it was written with")
        }
    }
}
