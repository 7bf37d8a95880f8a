/// Caffe's `InnerProduct` (fully connected): flattens the bottom from `axis` (default 1) and multiplies by
/// the weight (num_output, K), K = product of the bottom's dimensions from `axis` on.
///
/// - Top: bottom.shape[..<axis] + [num_output]. Blobs: weight (num_output, K), bias (num_output) if `bias_term`.
public final class InnerProduct: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []
    let parameters: InnerProductDefinition
    var context: LayerContext
    /// The compute kernel for the current geometry.
    public private(set) var kernel: (any InnerProductComputing)?
    private var weightGrad: [Float] = []
    private var biasGrad: [Float] = []

    public init(definition: LayerDefinition, context: LayerContext) throws {
        guard let p = definition.innerProduct, p.numOutput > 0 else {
            throw NNError.invalidDefinition(layer: definition.name, hint: "InnerProduct needs inner_product_param with num_output > 0")
        }
        self.definition = definition
        self.parameters = p
        self.context = context
    }

    /// Switches to another compute backend; the kernel is rebuilt on the next reshape.
    public func use(_ backend: any ComputeBackend) {
        context.backend = backend
        kernel = nil
    }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 1...1, topRange: 1...1)
        let shape = bottoms[0].shape, axis = definition.axis < 0 ? shape.count + definition.axis : definition.axis
        guard axis >= 0, axis <= shape.count else {
            throw NNError.shapeMismatch(layer: name, expected: [], got: shape, hint: "axis \(definition.axis) is out of range")
        }
        let batch = shape[..<axis].reduce(1, *), inputs = shape[axis...].reduce(1, *), p = parameters
        var shapes = [[p.numOutput, inputs]], fillers = [p.weightFiller]
        if p.biasTerm { shapes.append([p.numOutput]); fillers.append(p.biasFiller) }
        try makeOrCheckParams(shapes, fillers: fillers, random: context.random)
        let geometry = InnerProductGeometry(batch: batch, inputs: inputs, outputs: p.numOutput, hasBias: p.biasTerm)
        if kernel?.geometry != geometry { kernel = try context.backend.makeInnerProduct(geometry) }
        weightGrad = [Float](repeating: 0, count: blobs[0].count)
        biasGrad = [Float](repeating: 0, count: p.biasTerm ? p.numOutput : 0)
        tops[0].reshape(Array(shape[..<axis]) + [p.numOutput])
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        guard let kernel else { preconditionFailure("\(name): forward before reshape") }
        kernel.forward(bottom: bottoms[0], top: tops[0], blobs: blobs, hasBias: parameters.biasTerm)
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard let kernel else { preconditionFailure("\(name): backward before reshape") }
        kernel.backward(top: tops[0], bottom: bottoms[0], propagateDown: propagateDown[0], blobs: blobs,
                        hasBias: parameters.biasTerm, weightGrad: &weightGrad, biasGrad: &biasGrad)
    }
}
