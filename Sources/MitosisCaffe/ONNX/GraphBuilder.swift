import Foundation
import MitosisNN

/// Builds an ONNX graph layer by layer, keeping ONNX's single-assignment rule: a Caffe in-place layer (top
/// equal to bottom) gets a fresh value name, and later layers read the latest one.
struct GraphBuilder {
    private(set) var graph = Onnx_GraphProto()
    /// Caffe blob name -> the ONNX value holding its latest version.
    private var current: [String: String] = [:]
    private var usedNames: Set<String> = []
    /// Caffe blobs in order of production; those never read afterwards become graph outputs.
    private var produced: [String] = []
    private var consumed: Set<String> = []
    /// Inferred shape of each ONNX value (`nil` = the symbolic batch size); graph outputs need one.
    private var shapes: [String: [Int?]] = [:]
    private let path: String

    init(netName: String) {
        graph.name = netName
        path = netName
    }

    mutating func addInput(_ name: String, shape: [Int]) {
        var value = Onnx_ValueInfoProto()
        value.name = fresh(name)
        let symbolic = shape.enumerated().map { $0 == 0 ? nil : $1 }
        value.type = Self.floatType(shape: symbolic)
        shapes[value.name] = symbolic
        graph.input.append(value)
        current[name] = value.name
        produced.append(name)
    }

    mutating func add(_ layer: LayerDefinition, weights: [Tensor]) throws {
        switch layer.type {
        case "Input":
            for (top, shape) in zip(layer.tops, layer.inputShapes) { addInput(top, shape: shape) }
        case "Convolution":
            try addConvolution(layer, weights: weights)
        case "Pooling":
            try addPooling(layer)
        case "ReLU":
            if layer.negativeSlope == 0 {
                try node("Relu", layer, inputs: [input(layer)])
            } else {
                try node("LeakyRelu", layer, inputs: [input(layer)], attributes: [.float("alpha", layer.negativeSlope)])
            }
        case "InnerProduct":
            try addInnerProduct(layer, weights: weights)
        case "Softmax":
            try node("Softmax", layer, inputs: [input(layer)], attributes: [.int("axis", layer.axis)])
        case "Dropout":
            try node("Identity", layer, inputs: [input(layer)])
        default:
            throw CaffeFormatError.unsupported(
                path: path, layer: layer.name, feature: "a \(layer.type) layer in ONNX export (export a deploy net)")
        }
    }

    /// Declares every produced blob that no layer read as a graph output.
    mutating func finishOutputs() {
        for name in produced where !consumed.contains(name) {
            var value = Onnx_ValueInfoProto()
            value.name = current[name]!
            value.type = Self.floatType(shape: shapes[value.name])
            graph.output.append(value)
        }
    }

    // MARK: Layers

    private mutating func addConvolution(_ layer: LayerDefinition, weights: [Tensor]) throws {
        let c = layer.convolution ?? ConvolutionDefinition()
        let weight = try blob(weights, 0, of: layer, count: nil)
        var inputs = [try input(layer), initializer("\(layer.name)/weight", weight)]
        if c.biasTerm {
            let bias = try blob(weights, 1, of: layer, count: c.numOutput)
            inputs.append(initializer("\(layer.name)/bias", Tensor(shape: [c.numOutput], data: bias.data)))
        }
        try node("Conv", layer, inputs: inputs, attributes: [
            .ints("kernel_shape", [c.kernelH, c.kernelW]), .ints("strides", [c.strideH, c.strideW]),
            .ints("pads", [c.padH, c.padW, c.padH, c.padW]), .ints("dilations", [c.dilationH, c.dilationW]),
            .int("group", c.group),
        ])
    }

    private mutating func addPooling(_ layer: LayerDefinition) throws {
        let p = layer.pooling ?? PoolingDefinition()
        guard !p.global, p.dilationH == 1, p.dilationW == 1 else {
            throw CaffeFormatError.unsupported(path: path, layer: layer.name, feature: "global or dilated pooling in ONNX export")
        }
        var source = try input(layer)
        var pads = [p.padH, p.padW, p.padH, p.padW]
        if p.method == .average && pads.contains(where: { $0 != 0 }) {
            // Explicit zero padding reproduces Caffe's divisor (see ONNXExporter).
            let amounts = initializerInt64("\(layer.name)/pads", [0, 0, Int64(p.padH), Int64(p.padW), 0, 0, Int64(p.padH), Int64(p.padW)])
            source = emit("Pad", name: "\(layer.name)/pad", inputs: [source, amounts], output: "\(layer.name)/padded")
            pads = [0, 0, 0, 0]
        }
        var attributes: [Attribute] = [
            .ints("kernel_shape", [p.kernelH, p.kernelW]), .ints("strides", [p.strideH, p.strideW]),
            .ints("pads", pads), .int("ceil_mode", 1),
        ]
        if p.method == .average { attributes.append(.int("count_include_pad", 0)) }
        try node(p.method == .max ? "MaxPool" : "AveragePool", layer, inputs: [source], attributes: attributes)
    }

    private mutating func addInnerProduct(_ layer: LayerDefinition, weights: [Tensor]) throws {
        let d = layer.innerProduct ?? InnerProductDefinition()
        let weight = try blob(weights, 0, of: layer, count: nil)
        guard d.numOutput > 0, weight.count % d.numOutput == 0 else {
            throw CaffeFormatError.badBlob(path: path, layer: layer.name, reason: "weight of shape \(weight.shape) for \(d.numOutput) outputs")
        }
        let flat = emit("Flatten", name: "\(layer.name)/flatten", inputs: [try input(layer)],
                        output: "\(layer.name)/flat", attributes: [.int("axis", 1)])
        var inputs = [flat, initializer("\(layer.name)/weight", Tensor(shape: [d.numOutput, weight.count / d.numOutput], data: weight.data))]
        if d.biasTerm {
            let bias = try blob(weights, 1, of: layer, count: d.numOutput)
            inputs.append(initializer("\(layer.name)/bias", Tensor(shape: [d.numOutput], data: bias.data)))
        }
        try node("Gemm", layer, inputs: inputs, attributes: [.int("transB", 1)])
    }

    // MARK: Values and nodes

    private mutating func input(_ layer: LayerDefinition) throws -> String {
        guard let bottom = layer.bottoms.first, let value = current[bottom] else {
            throw CaffeFormatError.unsupported(path: path, layer: layer.name, feature: "a missing or unknown bottom")
        }
        consumed.insert(bottom)
        return value
    }

    /// Emits the node computing `layer`'s (single) top.
    private mutating func node(_ op: String, _ layer: LayerDefinition, inputs: [String], attributes: [Attribute] = []) throws {
        guard let top = layer.tops.first, layer.tops.count == 1 else {
            throw CaffeFormatError.unsupported(path: path, layer: layer.name, feature: "\(layer.tops.count) tops in ONNX export")
        }
        current[top] = emit(op, name: layer.name, inputs: inputs, output: top, attributes: attributes)
        produced.removeAll { $0 == top }
        produced.append(top)
        consumed.remove(top)
    }

    private mutating func emit(_ op: String, name: String, inputs: [String], output: String, attributes: [Attribute] = []) -> String {
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = name
        node.input = inputs
        node.output = [fresh(output)]
        node.attribute = attributes.map(\.proto)
        graph.node.append(node)
        shapes[node.output[0]] = inferShape(op, inputNames: inputs, attributes: attributes)
        return node.output[0]
    }

    /// Output shape of the ops this builder emits (Caffe's ceil-mode pooling arithmetic); `nil` if unknown.
    private func inferShape(_ op: String, inputNames: [String], attributes: [Attribute]) -> [Int?]? {
        let inputs = inputNames.map { shapes[$0] }
        guard let x = inputs.first ?? nil else { return nil }
        func ints(_ name: String) -> [Int] {
            for case let .ints(n, values) in attributes where n == name { return values }
            return []
        }
        switch op {
        case "Conv", "MaxPool", "AveragePool":
            guard x.count == 4, let h = x[2], let w = x[3] else { return nil }
            let k = ints("kernel_shape"), s = ints("strides"), p = ints("pads")
            let channels = op == "Conv" ? (inputs.count > 1 ? inputs[1]?.first ?? nil : nil) : x[1]
            func size(_ n: Int, _ axis: Int) -> Int {
                let span = n + p[axis] + p[axis + 2] - k[axis]
                if op == "Conv" { return span / s[axis] + 1 }
                var out = (span + s[axis] - 1) / s[axis] + 1
                if (out - 1) * s[axis] >= n + p[axis] { out -= 1 }
                return out
            }
            return [x[0], channels, size(h, 0), size(w, 1)]
        case "Pad":
            guard x.count == 4, let h = x[2], let w = x[3] else { return nil }
            let amounts = graph.initializer.first { $0.name == inputNames[1] }?.int64Data.map { Int($0) } ?? []
            guard amounts.count == 8 else { return nil }
            return [x[0], x[1], h + amounts[2] + amounts[6], w + amounts[3] + amounts[7]]
        case "Flatten":
            let rest = x.dropFirst()
            return [x[0], rest.contains { $0 == nil } ? nil : rest.reduce(1) { $0 * $1! }]
        case "Gemm":
            return [x[0], inputs.count > 1 ? inputs[1]?.first ?? nil : nil]
        default:
            return x
        }
    }

    private mutating func fresh(_ base: String) -> String {
        var name = base
        var suffix = 1
        while usedNames.contains(name) {
            name = "\(base)_\(suffix)"
            suffix += 1
        }
        usedNames.insert(name)
        return name
    }

    private func blob(_ weights: [Tensor], _ index: Int, of layer: LayerDefinition, count: Int?) throws -> Tensor {
        guard index < weights.count, count.map({ weights[index].count == $0 }) ?? true else {
            throw CaffeFormatError.badBlob(
                path: path, layer: layer.name, reason: "missing or mis-sized parameter blob \(index) for ONNX export")
        }
        return weights[index]
    }

    private mutating func initializer(_ name: String, _ tensor: Tensor) -> String {
        var proto = Onnx_TensorProto()
        proto.name = fresh(name)
        proto.dims = tensor.shape.map { Int64($0) }
        proto.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        // ONNX raw_data is little-endian float32; so is every platform mitosis runs on.
        proto.rawData = tensor.data.withUnsafeBytes { Data($0) }
        graph.initializer.append(proto)
        shapes[proto.name] = tensor.shape
        return proto.name
    }

    private mutating func initializerInt64(_ name: String, _ values: [Int64]) -> String {
        var proto = Onnx_TensorProto()
        proto.name = fresh(name)
        proto.dims = [Int64(values.count)]
        proto.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        proto.int64Data = values
        graph.initializer.append(proto)
        return proto.name
    }

    /// A float tensor type; a `nil` first dimension is the symbolic batch size "N", other `nil`s are unknown;
    /// a `nil` shape is unknown rank.
    static func floatType(shape: [Int?]?) -> Onnx_TypeProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        if let shape {
            tensor.shape.dim = shape.enumerated().map { axis, size in
                var dim = Onnx_TensorShapeProto.Dimension()
                if let size { dim.dimValue = Int64(size) } else if axis == 0 { dim.dimParam = "N" }
                return dim
            }
        }
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        return type
    }
}

/// An ONNX node attribute.
enum Attribute {
    case int(String, Int)
    case ints(String, [Int])
    case float(String, Float)

    var proto: Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        switch self {
        case let .int(name, value):
            a.name = name
            a.type = .int
            a.i = Int64(value)
        case let .ints(name, values):
            a.name = name
            a.type = .ints
            a.ints = values.map(Int64.init)
        case let .float(name, value):
            a.name = name
            a.type = .float
            a.f = value
        }
        return a
    }
}
