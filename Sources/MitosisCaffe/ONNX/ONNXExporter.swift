import Foundation
import MitosisNN
import SwiftProtobuf
import MitosisSupport

/// Exports a deploy network and its weights as an ONNX model (opset 13), for onnxruntime and other tools.
///
/// Mapping: Convolution -> Conv; Pooling -> MaxPool / AveragePool with `ceil_mode = 1` (Caffe's rounding);
/// ReLU -> Relu (LeakyRelu if `negative_slope` is set); InnerProduct -> Flatten + Gemm (`transB = 1`);
/// Softmax -> Softmax (axis 1, on 2-D inputs); Dropout -> Identity; Input layers and net inputs -> graph
/// inputs with a symbolic batch size. Data, Accuracy and loss layers have no inference meaning and are
/// rejected: export a deploy net.
///
/// Average pooling: Caffe divides by the window clipped to the padded input, while ONNX's
/// `count_include_pad` either counts every pad cell or none. With `pad = 0` (the tutorial's net) the two
/// agree using `count_include_pad = 0`; with padding the exporter inserts an explicit zero `Pad` node and
/// pools the padded tensor without `pads`, which reproduces Caffe's divisor exactly (the window is clipped to
/// the padded extent, ceil overhang excluded).
public enum ONNXExporter {
    /// The ONNX model bytes for `definition`'s TEST-phase layers with `weights` (by layer name).
    /// - Throws: `CaffeFormatError.unsupported` for layers without an ONNX mapping, `.badBlob` for missing or
    ///   mis-sized weights.
    public static func export(_ definition: NetDefinition, weights: [String: [Tensor]], producer: String = "mitosis")
        throws -> Data
    {
        var builder = GraphBuilder(netName: definition.name.isEmpty ? "net" : definition.name)
        for (name, shape) in definition.inputs { builder.addInput(name, shape: shape) }
        for layer in definition.layers(in: .test) { try builder.add(layer, weights: weights[layer.name] ?? []) }
        builder.finishOutputs()

        var model = Onnx_ModelProto()
        model.irVersion = 7
        model.producerName = producer
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = 13
        model.opsetImport = [opset]
        model.graph = builder.graph
        return try model.serializedData()
    }

    /// Writes the exported model atomically.
    public static func write(_ definition: NetDefinition, weights: [String: [Tensor]], to url: URL) throws {
        try AtomicFile.write(export(definition, weights: weights), to: url)
    }
}
