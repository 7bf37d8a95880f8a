import Foundation
import MitosisNN
import SwiftProtobuf
import MitosisSupport

/// Trained weights in Caffe's `.caffemodel` format (a binary `NetParameter` whose layers carry blobs).
///
/// Reads files with V1 `layers` (the tutorial's released models) or current `layer`; writes current
/// `layer` entries with name, type and blobs, which Caffe's `CopyTrainedLayersFrom` matches by name.
/// Blobs come back in the engine's layout: convolution weight (out, in/group, kh, kw) and bias (out),
/// inner product weight (out, in) and bias (out); legacy 4-D shapes (1x1xOxI, 1x1x1xO) are reshaped.
public struct CaffeModel: Sendable, Equatable {
    /// One layer's learned blobs.
    public struct Layer: Sendable, Equatable {
        public var name: String
        /// Current Caffe type string ("Convolution", "InnerProduct", ...), empty if unknown.
        public var type: String
        public var blobs: [Tensor]
        public init(name: String, type: String, blobs: [Tensor]) {
            self.name = name
            self.type = type
            self.blobs = blobs
        }
    }

    /// The net's `name`.
    public var name: String
    /// Layers with at least one blob, in file order.
    public var layers: [Layer]

    public init(name: String = "", layers: [Layer]) {
        self.name = name
        self.layers = layers
    }

    /// Weights keyed by layer name, ordered and typed after `definition`'s layers (other names follow,
    /// sorted, with an empty type).
    public init(name: String = "", weights: [String: [Tensor]], definition: NetDefinition? = nil) {
        let known = definition?.layers.filter { weights[$0.name] != nil } ?? []
        let knownNames = Set(known.map(\.name))
        let rest = weights.keys.filter { !knownNames.contains($0) }.sorted()
        self.init(
            name: name.isEmpty ? definition?.name ?? "" : name,
            layers: known.map { Layer(name: $0.name, type: $0.type, blobs: weights[$0.name]!) }
                + rest.map { Layer(name: $0, type: "", blobs: weights[$0]!) })
    }

    /// Blobs keyed by layer name.
    public var weights: [String: [Tensor]] {
        Dictionary(layers.map { ($0.name, $0.blobs) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads a `.caffemodel`.
    public init(contentsOf url: URL) throws {
        try self.init(serializedData: CaffeFiles.read(url), path: url.path)
    }

    /// Decodes a `.caffemodel`'s bytes; `path` is only used in errors.
    public init(serializedData data: Data, path: String = "<caffemodel>") throws {
        let net: Caffe_NetParameter
        do {
            net = try Caffe_NetParameter(serializedBytes: data)
        } catch {
            throw CaffeFormatError.malformedBinary(path: path, reason: "\(error)")
        }
        let upgraded = try NetUpgrader.upgrade(net, path: path)
        name = upgraded.name
        layers = try upgraded.layer.filter { !$0.blobs.isEmpty }.map { layer in
            let blobs = try layer.blobs.map { try BlobConversion.tensor(from: $0, path: path, layer: layer.name) }
            return Layer(name: layer.name, type: layer.type, blobs: Self.canonical(blobs, type: layer.type))
        }
    }

    /// The file's bytes (current `layer` format, blobs with `shape`).
    public func serializedData() throws -> Data {
        var net = Caffe_NetParameter()
        net.name = name
        net.layer = layers.map { layer in
            var parameter = Caffe_LayerParameter()
            parameter.name = layer.name
            if !layer.type.isEmpty { parameter.type = layer.type }
            parameter.blobs = layer.blobs.map { BlobConversion.blob(from: $0) }
            return parameter
        }
        return try net.serializedData()
    }

    /// Writes the model atomically (temporary file in the same folder, then rename).
    public func write(to url: URL) throws {
        try AtomicFile.write(serializedData(), to: url)
    }

    /// Drops the leading 1s of legacy 4-D blobs where the engine expects fewer axes.
    static func canonical(_ blobs: [Tensor], type: String) -> [Tensor] {
        func squeezed(_ tensor: Tensor, to rank: Int) -> Tensor {
            guard tensor.shape.count > rank, tensor.shape.dropLast(rank).allSatisfy({ $0 == 1 }) else { return tensor }
            return Tensor(shape: Array(tensor.shape.suffix(rank)), data: tensor.data)
        }
        switch type {
        case "InnerProduct":
            return blobs.enumerated().map { squeezed($1, to: $0 == 0 ? 2 : 1) }
        case "Convolution":
            return blobs.enumerated().map { $0 == 0 ? $1 : squeezed($1, to: 1) }
        default:
            return blobs
        }
    }
}
