// A zero-copy reader of serialized `caffe.Datum` records, for the training feed.
//
// `MitosisCaffe.Datum(serializedBytes:)` goes through SwiftProtobuf and copies the pixels twice; the feed
// reads more than 100,000 records a minute, so it walks the protobuf wire format itself and hands the
// transformer a pointer into the record. Field numbers are caffe.proto's: channels 1, height 2, width 3,
// data 4, label 5, float_data 6, encoded 7. Unknown fields are skipped, as protobuf parsers do.

/// The fields of one serialized `Datum`, with `data` pointing into the record's bytes. Not API.
struct _DatumRecord {
    var channels = 0
    var height = 0
    var width = 0
    var label = 0
    /// The uint8 pixels (C x H x W, BGR), inside the buffer that was parsed.
    var data = UnsafeRawBufferPointer(start: nil, count: 0)
    var hasFloatData = false
    var encoded = false

    /// Why a record could not be read.
    enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        case unsupported(String)
        var description: String {
            switch self {
            case .malformed(let why): "not a caffe.Datum (\(why))"
            case .unsupported(let why): why
            }
        }
    }

    /// Parses `bytes`; the result's `data` is valid as long as `bytes` is.
    init(parsing bytes: UnsafeRawBufferPointer) throws {
        var reader = _WireReader(bytes)
        while !reader.atEnd {
            let tag = try reader.varint()
            let field = tag >> 3, wireType = tag & 7
            switch (field, wireType) {
            case (1, 0): channels = Int(Int32(truncatingIfNeeded: try reader.varint()))
            case (2, 0): height = Int(Int32(truncatingIfNeeded: try reader.varint()))
            case (3, 0): width = Int(Int32(truncatingIfNeeded: try reader.varint()))
            case (4, 2): data = try reader.lengthDelimited()
            case (5, 0): label = Int(Int32(truncatingIfNeeded: try reader.varint()))
            case (6, 5), (6, 2):
                hasFloatData = true
                try reader.skip(wireType: wireType)
            case (7, 0): encoded = try reader.varint() != 0
            default: try reader.skip(wireType: wireType)
            }
        }
    }

    /// Checks that the record holds raw uint8 pixels of the stated size.
    func validate() throws {
        if encoded { throw Failure.unsupported("encoded (JPEG/PNG) records are not supported; rebuild without --encoded") }
        if hasFloatData && data.count == 0 { throw Failure.unsupported("float_data records are not supported") }
        guard channels > 0, height > 0, width > 0 else {
            throw Failure.malformed("shape \(channels)x\(height)x\(width)")
        }
        // Each size is below 2^31, so a product of two cannot overflow; the third is checked.
        let pixels = (height * width).multipliedReportingOverflow(by: channels)
        guard !pixels.overflow, data.count == pixels.partialValue else {
            throw Failure.malformed("\(data.count) pixel bytes for \(channels)x\(height)x\(width)")
        }
    }
}

/// Protobuf wire-format primitives over a byte buffer. Not API.
struct _WireReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if shift < 64 { value |= UInt64(byte & 0x7F) << shift }
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift >= 70 { throw _DatumRecord.Failure.malformed("varint too long") }
        }
        throw _DatumRecord.Failure.malformed("truncated varint")
    }

    mutating func lengthDelimited() throws -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else { throw _DatumRecord.Failure.malformed("truncated field") }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
        offset += Int(length)
        return slice
    }

    mutating func skip(wireType: UInt64) throws {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        default: throw _DatumRecord.Failure.malformed("wire type \(wireType)")
        }
    }

    private mutating func advance(_ count: Int) throws {
        guard count <= bytes.count - offset else { throw _DatumRecord.Failure.malformed("truncated field") }
        offset += count
    }
}
