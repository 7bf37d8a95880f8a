// The one checksum of the project: FNV-1a 64 (no CryptoKit on Linux; it detects damage, not tampering).
// Databases (`StoreDigest`, checked by scripts/fixtures/check_store_interop.py too) and patch archives use it.

/// FNV-1a 64-bit hash of a byte stream.
public struct FNV1a64: Hashable, Sendable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash so far.
    public private(set) var value: UInt64 = offsetBasis

    public init() {}

    /// Adds `bytes`.
    public mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var h = value
        for byte in bytes { h = (h ^ UInt64(byte)) &* Self.prime }
        value = h
    }

    /// Adds the 8 little-endian bytes of `length`.
    public mutating func add(length: Int) {
        withUnsafeBytes(of: UInt64(length).littleEndian) { add($0) }
    }

    /// The hash as 16 lower-case hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The hash of `bytes`.
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var h = FNV1a64()
        h.add(bytes)
        return h.value
    }
}
