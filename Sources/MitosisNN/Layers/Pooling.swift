/// Caffe's `Pooling`: MAX or AVE over kernel x kernel windows with stride and pad, ceil-mode output size.
///
/// - Bottom: (N, C, H, W). Top: (N, C, H', W') with `H' = ceil((H + 2*pad - k) / s) + 1`, minus one when
///   the last window would start in the padding (Caffe's rule). AVE divides by the window clipped to the
///   padded input. `global_pooling` pools the whole plane.
/// - Departure from Caffe: optional window dilation (for the dense "a trous" rewrite); 1 gives Caffe exactly.
public final class Pooling: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []
    let parameters: PoolingDefinition
    var context: LayerContext
    /// The compute kernel for the current geometry.
    public private(set) var kernel: (any PoolingComputing)?

    public init(definition: LayerDefinition, context: LayerContext) throws {
        guard let p = definition.pooling else {
            throw NNError.invalidDefinition(layer: definition.name, hint: "Pooling needs pooling_param")
        }
        guard p.global || (p.kernelH > 0 && p.kernelW > 0 && p.strideH > 0 && p.strideW > 0
                           && p.padH >= 0 && p.padW >= 0 && p.padH < p.kernelH && p.padW < p.kernelW
                           && p.dilationH > 0 && p.dilationW > 0)
        else {
            throw NNError.invalidDefinition(
                layer: definition.name, hint: "kernel, stride and dilation must be positive and 0 <= pad < kernel")
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
            throw NNError.shapeMismatch(layer: name, expected: [-1, -1, -1, -1], got: shape, hint: "Pooling needs NCHW input")
        }
        var geometry = PoolingGeometry(
            method: p.method, batch: shape[0], channels: shape[1], inHeight: shape[2], inWidth: shape[3],
            kernelH: p.kernelH, kernelW: p.kernelW, strideH: p.strideH, strideW: p.strideW, padH: p.padH, padW: p.padW,
            dilationH: p.dilationH, dilationW: p.dilationW)
        if p.global {
            geometry.kernelH = shape[2]; geometry.kernelW = shape[3]
            geometry.strideH = 1; geometry.strideW = 1; geometry.padH = 0; geometry.padW = 0
            geometry.dilationH = 1; geometry.dilationW = 1
        }
        let extentH = geometry.dilationH * (geometry.kernelH - 1) + 1
        let extentW = geometry.dilationW * (geometry.kernelW - 1) + 1
        guard shape[2] + 2 * geometry.padH >= extentH, shape[3] + 2 * geometry.padW >= extentW else {
            throw NNError.shapeMismatch(layer: name, expected: [shape[0], shape[1], extentH - 2 * geometry.padH, extentW - 2 * geometry.padW],
                                        got: shape, hint: "the input is smaller than the pooling window")
        }
        if kernel?.geometry != geometry { kernel = try context.backend.makePooling(geometry) }
        tops[0].reshape(geometry.outputShape)
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        guard let kernel else { preconditionFailure("\(name): forward before reshape") }
        bottoms[0].data.withUnsafeBufferPointer { x in
            tops[0].data.withUnsafeMutableBufferPointer { y in
                kernel.forward(input: x.baseAddress!, output: y.baseAddress!)
            }
        }
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard propagateDown[0], let kernel else { return }
        bottoms[0].data.withUnsafeBufferPointer { x in
            tops[0].diff.withUnsafeBufferPointer { dy in
                bottoms[0].diff.withUnsafeMutableBufferPointer { dx in
                    kernel.backward(input: x.baseAddress!, outputGrad: dy.baseAddress!, inputGrad: dx.baseAddress!)
                }
            }
        }
    }
}
