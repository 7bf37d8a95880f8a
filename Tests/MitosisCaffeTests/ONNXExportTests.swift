import Foundation
import MitosisCaffe
import MitosisNN
import Testing

/// ONNX export of the released models. The numerical check runs in onnxruntime: scripts/check_onnx.py
/// runs these tests with MITOSIS_ONNX_EXPORT_DIR set (so they leave the .onnx files there) and compares
/// onnxruntime's probabilities with the golden fixtures.
@Suite("ONNX export", .enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage))
struct ONNXExportTests {
    @Test(arguments: 1...5)
    func releasedModelExports(fold: Int) throws {
        let definition = try NetImporter.read(contentsOf: ReferenceFiles.url("deploy_train32.prototxt"))
        let weights = try CaffeModel(contentsOf: ReferenceFiles.caffemodel(fold: fold)).weights
        let data = try ONNXExporter.export(definition, weights: weights)

        let model = try Onnx_ModelProto(serializedBytes: data)
        #expect(model.opsetImport.first?.version == 13)
        #expect(model.graph.node.map(\.opType) == [
            "Conv", "MaxPool", "Relu", "Conv", "Relu", "AveragePool", "Conv", "Relu", "AveragePool",
            "Flatten", "Gemm", "Flatten", "Gemm", "Softmax",
        ])
        #expect(model.graph.input.map(\.name) == ["data"])
        #expect(model.graph.output.map(\.name) == ["prob"])
        #expect(model.graph.initializer.count == 10)
        let pool = try #require(model.graph.node.first { $0.opType == "AveragePool" })
        #expect(pool.attribute.first { $0.name == "ceil_mode" }?.i == 1)
        #expect(pool.attribute.first { $0.name == "count_include_pad" }?.i == 0)
        // Single assignment: every value is produced once.
        let outputs = model.graph.node.flatMap(\.output)
        #expect(Set(outputs).count == outputs.count)

        if let folder = ProcessInfo.processInfo.environment["MITOSIS_ONNX_EXPORT_DIR"] {
            try ONNXExporter.write(definition, weights: weights,
                                   to: URL(fileURLWithPath: folder).appendingPathComponent("fold\(fold).onnx"))
        }
    }

    @Test func paddedAveragePoolingGetsExplicitPad() throws {
        var definition = NetDefinition(name: "p")
        definition.inputs = [(name: "x", shape: [1, 1, 5, 5])]
        var pool = LayerDefinition(name: "pool", type: "Pooling", bottoms: ["x"], tops: ["y"])
        var p = PoolingDefinition()
        p.method = .average
        p.kernelH = 3; p.kernelW = 3; p.strideH = 2; p.strideW = 2; p.padH = 1; p.padW = 1
        pool.pooling = p
        definition.layers = [pool]
        let model = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(definition, weights: [:]))
        #expect(model.graph.node.map(\.opType) == ["Pad", "AveragePool"])
    }

    @Test func trainingLayersAreRejected() throws {
        let definition = try NetImporter.parse(#"layer { name: "d" type: "Data" top: "data" data_param { source: "x" } }"#)
        #expect(throws: CaffeFormatError.self) { try ONNXExporter.export(definition, weights: [:]) }
    }
}

extension ONNXExportTests {
    @Test func outputShapeIsInferred() throws {
        let definition = try NetImporter.read(contentsOf: ReferenceFiles.url("deploy_train32.prototxt"))
        let weights = try CaffeModel(contentsOf: ReferenceFiles.caffemodel(fold: 1)).weights
        let model = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(definition, weights: weights))
        let dims = model.graph.output[0].type.tensorType.shape.dim
        #expect(dims.map(\.dimParam) == ["N", ""])
        #expect(dims.map(\.dimValue) == [0, 2])
    }
}
