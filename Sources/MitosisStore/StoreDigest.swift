// A checksum both this module and `scripts/fixtures/check_store_interop.py` compute, so a database written
// here can be compared with what Python's `lmdb` / `plyvel` read from it (Swift on Linux has no CryptoKit).
import Foundation

/// FNV-1a 64-bit hash over a store's records in key order.
///
/// Each record contributes its key length (8 bytes, little-endian), its key bytes, its value length (8 bytes,
/// little-endian) and its value bytes, so different splits of the same bytes hash differently.
public struct StoreDigest: Hashable, Sendable {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash so far.
    public private(set) var value: UInt64 = offsetBasis
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
        hash(length: key.count)
        hash(key)
        hash(length: value.count)
        hash(value)
        count += 1
    }

    /// The hash as 16 lower-case hex digits, as the interop script prints it.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The digest of every committed record of `store`, in key order.
    public static func of(_ store: any KeyValueStore) throws -> StoreDigest {
        var digest = StoreDigest()
        try store.forEachRecord { digest.add($0) }
        return digest
    }

    private mutating func hash(length: Int) {
        withUnsafeBytes(of: UInt64(length).littleEndian) { hash($0) }
    }

    private mutating func hash<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var h = value
        for byte in bytes { h = (h ^ UInt64(byte)) &* Self.prime }
        value = h
    }
}
