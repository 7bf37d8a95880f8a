import MitosisCaffe
import MitosisImage
import Testing

@Suite("Datum records")
struct DatumTests {
    @Test func rgbImageBecomesBGRChannelMajorAndBack() throws {
        // 2 x 1 image: pixel 0 = (R 1, G 2, B 3), pixel 1 = (R 4, G 5, B 6).
        let image = Image(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6])
        let datum = Datum(image: image, label: 1)
        #expect((datum.channels, datum.height, datum.width, datum.label) == (3, 1, 2, 1))
        #expect(datum.data == [3, 6, 2, 5, 1, 4])
        #expect(try datum.image() == image)
    }

    @Test func serializedRoundTripMatchesCaffeBytes() throws {
        var pixels: [UInt8] = []
        for i in 0..<(32 * 32 * 3) { pixels.append(UInt8(truncatingIfNeeded: i * 7)) }
        let image = Image(width: 32, height: 32, channels: 3, pixels: pixels)
        let datum = Datum(image: image, label: 0)
        let bytes = datum.serializedBytes()
        // Caffe's encoding: channels=1 (08 03), height=2 (10 20), width=3 (18 20), data=4 (22 80 18 ...).
        #expect(Array(bytes.prefix(9)) == [0x08, 0x03, 0x10, 0x20, 0x18, 0x20, 0x22, 0x80, 0x18])
        let decoded = try Datum(serializedBytes: bytes)
        #expect(decoded == datum)
        #expect(try decoded.image() == image)
        #expect(try Datum(serializedBytes: Datum(image: image, label: 1).serializedBytes()).label == 1)
    }

    /// The direct encoder used by step 3 writes the same bytes as swift-protobuf does for the same record.
    @Test(arguments: [0, 1, 7, -1, 300])
    func directRecordEncodingMatchesProtobuf(label: Int) {
        for (w, h) in [(32, 32), (5, 3), (1, 1), (80, 80)] {
            let pixels = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 * 31 + label) }
            let image = Image(width: w, height: h, channels: 3, pixels: pixels)
            let direct = pixels.withUnsafeBufferPointer { Datum.serializedRecord(rgb: $0, width: w, height: h, label: label) }
            #expect(direct == Datum(image: image, label: label).serializedBytes(), "\(w)x\(h) label \(label)")
        }
    }

    @Test func grayImageAndErrors() throws {
        let gray = Image(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4])
        #expect(try Datum(image: gray, label: 0).image() == gray)
        #expect(throws: CaffeFormatError.self) {
            try Datum(channels: 3, height: 2, width: 2, data: [1, 2], label: 0).image()
        }
        #expect(throws: CaffeFormatError.self) { try Datum(serializedBytes: [0xff, 0xff]) }
    }
}
