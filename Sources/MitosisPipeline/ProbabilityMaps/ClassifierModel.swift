import Foundation
import MitosisCaffe
import MitosisNN
import MitosisSupport

/// One trained patch classifier: a deploy network, its weights and the mean image its inputs are centred by.
///
/// The tutorial's models (`deploy_train32.prototxt`, `K_caffenet_train_w32_2nd_iter_600000.caffemodel`,
/// `DB_train_w32_K_2nd.binaryproto`) take 32x32 BGR patches with values 0...255 minus the mean image.
public struct ClassifierModel: Sendable {
    /// The deploy network (its first input is the patch batch, (N, 3, S, S)).
    public var definition: NetDefinition
    /// Parameters by layer name, in the net's canonical shapes (checked against the definition).
    public var weights: [String: [Tensor]]
    /// Mean image (1, 3, S, S) in BGR order, 0...255 scale.
    public var mean: Tensor

    /// Checks that `weights` and `mean` fit `definition` (by building the net once on the CPU reference backend).
    /// - Throws: `NNError` / `PipelineError` naming the layer or the mean file for shapes that do not fit.
    public init(definition: NetDefinition, weights: [String: [Tensor]], mean: Tensor, meanPath: String = "<mean>") throws {
        guard let input = definition.inputs.first ?? Self.inputLayerShape(definition) else {
            throw PipelineError.invalidOption("the network has no input; a deploy prototxt with `input_dim`s is needed")
        }
        let size = input.shape
        guard size.count == 4, size[1] == 3, size[2] == size[3] else {
            throw PipelineError.invalidOption("the network input \(input.name) is \(size); expected (N, 3, S, S) colour patches")
        }
        let net = try Net(definition: definition, phase: .test, inputShapes: [input.name: [1, 3, size[2], size[3]]])
        try net.loadWeights(weights)
        // A layer left without trained values would classify with its initial ones: refuse.
        let missing = net.layersWithoutValues(in: weights)
        guard missing.isEmpty else {
            throw NNError.missingParams(layers: missing)
        }
        guard mean.count == 3 * size[2] * size[3] else {
            throw PipelineError.badFile(path: meanPath, reason: "mean image has shape \(mean.shape); the network wants (1, 3, \(size[2]), \(size[3]))")
        }
        self.definition = definition
        self.weights = net.weights()
        self.mean = Tensor(shape: [1, 3, size[2], size[3]], data: mean.data)
    }

    /// Reads a deploy prototxt, a `.caffemodel` and a `.binaryproto` mean image.
    public static func load(net: URL, weights: URL, mean: URL) throws -> ClassifierModel {
        for url in [net, weights, mean] where !FileManager.default.fileExists(atPath: url.path) {
            throw PipelineError.missingInput(path: url.path, hint: "give the deploy prototxt (--net), the .caffemodel (--weights) and the mean .binaryproto (--mean)")
        }
        let definition = try NetImporter.read(contentsOf: net)
        let model = try CaffeModel(contentsOf: weights)
        let meanImage = try MeanImage.read(contentsOf: mean)
        do {
            return try ClassifierModel(definition: definition, weights: model.weights, mean: meanImage, meanPath: mean.path)
        } catch let error as NNError {
            // Name both files: which one is wrong is the user's call.
            throw PipelineError.badFile(path: weights.path, reason: "does not fit the net \(net.path): \(error)")
        }
    }

    /// Side of the square input patch (32 for the tutorial).
    public var patchSize: Int { mean.shape[3] }

    /// Per-channel average of the mean image (BGR): what the dense mode subtracts (see docs/PROBMAPS.md).
    public var channelMeans: [Float] {
        let n = patchSize * patchSize
        return (0..<3).map { c in mean.data[c * n..<(c + 1) * n].reduce(0, +) / Float(n) }
    }

    static func inputLayerShape(_ d: NetDefinition) -> (name: String, shape: [Int])? {
        guard let layer = d.layers.first(where: { $0.type == "Input" }), let shape = layer.inputShapes.first,
              let name = layer.tops.first else { return nil }
        return (name, shape)
    }
}
