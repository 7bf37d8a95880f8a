import MitosisNN

/// `BlobProto` <-> `Tensor`.
///
/// Caffe stores a blob's shape either in `shape { dim }` (current) or in the legacy 4-D
/// `num`/`channels`/`height`/`width` fields (the tutorial's files); values in `data` (float) or
/// `double_data`.
enum BlobConversion {
    /// The blob's declared shape: `shape.dim` if present, else the legacy 4-D fields.
    static func shape(of blob: Caffe_BlobProto) -> [Int] {
        if blob.hasShape { return blob.shape.dim.map { Int($0) } }
        return [Int(blob.num), Int(blob.channels), Int(blob.height), Int(blob.width)]
    }

    /// The blob as a tensor of its declared shape.
    /// - Throws: `CaffeFormatError.badBlob` when the value count does not match the shape.
    static func tensor(from blob: Caffe_BlobProto, path: String, layer: String) throws -> Tensor {
        let shape = shape(of: blob)
        let values = blob.data.isEmpty && !blob.doubleData.isEmpty ? blob.doubleData.map { Float($0) } : blob.data
        // The shape comes from the file: a product that overflows is a damaged blob, not a trap.
        let count = shape.reduce((partialValue: 1, overflow: false)) { r, d in
            let p = r.partialValue.multipliedReportingOverflow(by: d)
            return (p.partialValue, r.overflow || p.overflow)
        }
        guard shape.allSatisfy({ $0 >= 0 }), !count.overflow, values.count == count.partialValue else {
            throw CaffeFormatError.badBlob(
                path: path, layer: layer, reason: "blob of shape \(shape) holds \(values.count) values")
        }
        return Tensor(shape: shape, data: values)
    }

    /// A blob with `shape { dim }` (current Caffe) or, if `legacy4D` and the tensor is 4-D, the legacy fields
    /// (readable by every Caffe version).
    static func blob(from tensor: Tensor, legacy4D: Bool = false) -> Caffe_BlobProto {
        var blob = Caffe_BlobProto()
        if legacy4D && tensor.shape.count == 4 {
            blob.num = Int32(tensor.shape[0])
            blob.channels = Int32(tensor.shape[1])
            blob.height = Int32(tensor.shape[2])
            blob.width = Int32(tensor.shape[3])
        } else {
            blob.shape.dim = tensor.shape.map { Int64($0) }
        }
        blob.data = tensor.data
        return blob
    }
}
