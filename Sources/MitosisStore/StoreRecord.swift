import Foundation

/// One key/value pair read from a store, copied out of the database's memory.
public struct StoreRecord: Hashable, Sendable {
    /// The key's bytes (for Caffe databases, UTF-8 text such as `00000042_PP_II_0_p_3_90.png`).
    public var key: [UInt8]
    /// The value's bytes (for Caffe databases, a serialised `Datum`).
    public var value: [UInt8]

    /// Makes a record from its key and value bytes.
    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// The key decoded as UTF-8 (invalid bytes become U+FFFD).
    public var keyString: String { String(decoding: key, as: UTF8.self) }
}
