import Foundation
import MitosisImage
import SwiftProtobuf

/// One record of a Caffe patch database (`convert_imageset`): uint8 pixels, channel-major (C x H x W) in
/// BGR order, plus an integer label.
public struct Datum: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int
    /// `channels * height * width` bytes, channel-major, BGR for colour images.
    public var data: [UInt8]
    public var label: Int

    public init(channels: Int, height: Int, width: Int, data: [UInt8], label: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.data = data
        self.label = label
    }

    /// Converts an RGB (or gray) image, row-major H x W x C, to Caffe's BGR C x H x W.
    /// RGBA images lose their alpha channel.
    public init(image: Image, label: Int) {
        let outChannels = image.channels == 1 ? 1 : 3
        var bytes = [UInt8](repeating: 0, count: outChannels * image.height * image.width)
        let plane = image.height * image.width
        for y in 0..<image.height {
            for x in 0..<image.width {
                let pixel = y * image.width + x
                for c in 0..<outChannels {
                    // Caffe channel c is image channel 2 - c (BGR <- RGB).
                    let source = outChannels == 1 ? 0 : 2 - c
                    bytes[c * plane + pixel] = image.pixels[pixel * image.channels + source]
                }
            }
        }
        self.init(channels: outChannels, height: image.height, width: image.width, data: bytes, label: label)
    }

    /// The serialized `caffe.Datum` of an RGB patch (row-major H x W x 3) with `label`: the same bytes as
    /// `Datum(image:label:).serializedBytes()`, written directly (step 3 encodes millions of patches).
    /// Fields in number order: channels (1), height (2), width (3), data (4, BGR C x H x W), label (5).
    public static func serializedRecord(rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, label: Int) -> [UInt8] {
        let plane = width * height
        precondition(rgb.count == 3 * plane, "Datum.serializedRecord: \(rgb.count) samples for \(width)x\(height) RGB")
        var out: [UInt8] = []
        out.reserveCapacity(3 * plane + 32)
        func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        // proto2 int32 fields: negative values are sign-extended to ten bytes, as protobuf encodes them.
        func field(_ number: UInt64, _ value: Int) { varint(number << 3); varint(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))) }
        field(1, 3); field(2, height); field(3, width)
        varint(4 << 3 | 2); varint(UInt64(3 * plane))
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 3 * plane))
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<3 {
                let source = 2 - c, target = start + c * plane  // BGR <- RGB
                for i in 0..<plane { o[target + i] = rgb[i * 3 + source] }
            }
        }
        field(5, label)
        return out
    }

    /// The record as an RGB (or gray) image, row-major H x W x C.
    public func image() throws -> Image {
        guard channels == 1 || channels == 3 else { throw CaffeFormatError.badDatum(reason: "\(channels) channels") }
        // Sizes come from the record: negative or overflowing ones are a damaged record, not a trap.
        let plane = height.multipliedReportingOverflow(by: width)
        guard height > 0, width > 0, !plane.overflow, plane.partialValue <= Int.max / 3,
              data.count == channels * plane.partialValue else {
            throw CaffeFormatError.badDatum(reason: "\(data.count) bytes for \(channels)x\(height)x\(width)")
        }
        var pixels = [UInt8](repeating: 0, count: data.count)
        let planeSize = plane.partialValue
        for c in 0..<channels {
            let target = channels == 1 ? 0 : 2 - c
            for pixel in 0..<planeSize { pixels[pixel * channels + target] = data[c * planeSize + pixel] }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Decodes a database value (a serialized `caffe.Datum`).
    /// - Throws: `CaffeFormatError.badDatum` for undecodable bytes, encoded (JPEG/PNG) or float records.
    public init(serializedBytes bytes: [UInt8]) throws {
        let datum: Caffe_Datum
        do {
            datum = try Caffe_Datum(serializedBytes: bytes)
        } catch {
            throw CaffeFormatError.badDatum(reason: "\(error)")
        }
        guard !datum.encoded else { throw CaffeFormatError.badDatum(reason: "encoded images are not supported") }
        guard datum.floatData.isEmpty else { throw CaffeFormatError.badDatum(reason: "float_data is not supported") }
        self.init(
            channels: Int(datum.channels), height: Int(datum.height), width: Int(datum.width),
            data: [UInt8](datum.data), label: Int(datum.label))
    }

    /// The database value: a serialized `caffe.Datum` (the same bytes Caffe writes).
    public func serializedBytes() -> [UInt8] {
        var datum = Caffe_Datum()
        datum.channels = Int32(channels)
        datum.height = Int32(height)
        datum.width = Int32(width)
        datum.data = .init(data)
        datum.label = Int32(label)
        // Encoding a fully initialised proto2 message cannot fail.
        return (try? datum.serializedBytes()) ?? []
    }
}
