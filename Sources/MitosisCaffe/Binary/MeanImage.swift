import Foundation
import MitosisNN
import SwiftProtobuf
import MitosisSupport

/// Mean images in Caffe's `.binaryproto` format (one `BlobProto`, 1 x C x H x W floats, BGR channel order),
/// as written by `compute_image_mean`.
public enum MeanImage {
    /// Reads a `.binaryproto` blob as a tensor of its stored shape (the tutorial's: [1, 3, 32, 32]).
    public static func read(contentsOf url: URL) throws -> Tensor {
        let data = try CaffeFiles.read(url)
        let blob: Caffe_BlobProto
        do {
            blob = try Caffe_BlobProto(serializedBytes: data)
        } catch {
            throw CaffeFormatError.malformedBinary(path: url.path, reason: "\(error)")
        }
        return try BlobConversion.tensor(from: blob, path: url.path, layer: "(mean image)")
    }

    /// Writes `mean` atomically; a 4-D tensor uses the legacy num/channels/height/width fields, as
    /// `compute_image_mean` does, so every Caffe version reads it.
    public static func write(_ mean: Tensor, to url: URL) throws {
        try AtomicFile.write(BlobConversion.blob(from: mean, legacy4D: true).serializedData(), to: url)
    }
}
