/// Caffe's `Convolution`: 2-D cross-correlation with kernel, stride, pad, dilation, groups and optional bias.
///
/// - Bottom: (N, C, H, W). Top: (N, num_output, H', W'), `H' = (H + 2*pad - (d*(k-1)+1)) / stride + 1`.
/// - Blobs: weight (num_output, C/group, kh, kw), bias (num_output) if `bias_term`.
/// The arithmetic is delegated to a `ConvolutionComputing` kernel from the context's backend.
public final class Convolution: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []
    let parameters: ConvolutionDefinition
    var context: LayerContext
    /// The compute kernel for the current geometry (rebuilt when the geometry or backend changes).
    public private(set) var kernel: (any ConvolutionComputing)?
    private var weightGrad: [Float] = []
    private var biasGrad: [Float] = []

    public init(definition: LayerDefinition, context: LayerContext) throws {
        guard let p = definition.convolution else {
            throw NNError.invalidDefinition(layer: definition.name, hint: "Convolution needs convolution_param")
        }
        guard p.numOutput > 0, p.kernelH > 0, p.kernelW > 0, p.strideH > 0, p.strideW > 0,
              p.dilationH > 0, p.dilationW > 0, p.padH >= 0, p.padW >= 0, p.group > 0, p.numOutput % p.group == 0
        else {
            throw NNError.invalidDefinition(
                layer: definition.name,
                hint: "num_output, kernel, stride, dilation and group must be positive, pad >= 0, num_output divisible by group")
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
        let shape = bottoms[0].shape, p = parameters
        guard shape.count == 4 else {
            throw NNError.shapeMismatch(layer: name, expected: [-1, -1, -1, -1], got: shape, hint: "Convolution needs NCHW input")
        }
        guard shape[1] % p.group == 0 else {
            throw NNError.shapeMismatch(layer: name, expected: [shape[0], p.group, shape[2], shape[3]], got: shape,
                                        hint: "input channels must be divisible by group \(p.group)")
        }
        let geometry = ConvolutionGeometry(
            batch: shape[0], inChannels: shape[1], inHeight: shape[2], inWidth: shape[3], outChannels: p.numOutput,
            kernelH: p.kernelH, kernelW: p.kernelW, strideH: p.strideH, strideW: p.strideW, padH: p.padH, padW: p.padW,
            dilationH: p.dilationH, dilationW: p.dilationW, group: p.group, hasBias: p.biasTerm)
        let extentH = p.dilationH * (p.kernelH - 1) + 1, extentW = p.dilationW * (p.kernelW - 1) + 1
        guard shape[2] + 2 * p.padH >= extentH, shape[3] + 2 * p.padW >= extentW else {
            throw NNError.shapeMismatch(layer: name, expected: [shape[0], shape[1], extentH - 2 * p.padH, extentW - 2 * p.padW],
                                        got: shape, hint: "the input is smaller than the (dilated) kernel")
        }
        var shapes = [geometry.weightShape], fillers = [p.weightFiller]
        if p.biasTerm { shapes.append([p.numOutput]); fillers.append(p.biasFiller) }
        try makeOrCheckParams(shapes, fillers: fillers, random: context.random)
        if kernel?.geometry != geometry { kernel = try context.backend.makeConvolution(geometry) }
        weightGrad = [Float](repeating: 0, count: blobs[0].count)
        biasGrad = [Float](repeating: 0, count: p.biasTerm ? p.numOutput : 0)
        tops[0].reshape(geometry.outputShape)
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
