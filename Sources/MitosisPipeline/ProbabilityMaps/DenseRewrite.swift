import MitosisNN

/// The "a trous" (dilated) rewrite of a patch classifier: the same weights evaluated densely, one output per
/// patch origin, with every stride moved into the dilation of the layers after it.
///
/// Alignment (derived in docs/PROBMAPS.md): a layer whose patch-mode output index is `j` sits, in the dense
/// pass, at position `origin + d * j`, where `d` is the product of the strides before it. A convolution with
/// padding `p` at dilation `d` reads `origin + d * (j + k - p)`, so as an unpadded ("valid") dense
/// convolution its output starts `d * p` after its input; a pooling of stride `s` becomes a stride-1 pooling
/// at dilation `d` and multiplies `d` by `s` for the layers after it; the first inner product over
/// (C, h, w) is an h x w convolution at dilation `d`; later inner products are 1x1 convolutions.
/// Every dense op is computed without padding, so a tile of T outputs needs `T + sum(extent - 1)` inputs.
struct DenseRewrite {
    /// One dense operation (stride 1, no padding).
    struct Op {
        enum Kind {
            /// weight (out, in, kh, kw), Caffe layout.
            case convolution(weight: [Float], bias: [Float]?, outChannels: Int, relu: Bool)
            case pooling(PoolingDefinition.Method)
        }
        var kind: Kind
        var inChannels: Int
        var kernelH: Int, kernelW: Int
        var dilationH: Int, dilationW: Int
        /// Where the output starts relative to the input, in input positions (`dilation * pad`).
        var shiftH: Int, shiftW: Int
        /// Came from an inner product (for `HeadFolding.innerProducts`).
        var fromInnerProduct = false

        var outChannels: Int {
            if case let .convolution(_, _, out, _) = kind { return out }
            return inChannels
        }
        /// Input positions consumed beyond the output size (`dilation * (kernel - 1)`).
        var extentH: Int { dilationH * (kernelH - 1) }
        var extentW: Int { dilationW * (kernelW - 1) }
        var isLinear: Bool {
            switch kind {
            case let .convolution(_, _, _, relu): return !relu
            case let .pooling(method): return method == .average
            }
        }
    }

    var ops: [Op] = []

    init(_ plan: ClassifierPlan) {
        var dh = 1, dw = 1
        var sawInnerProduct = false
        for step in plan.steps {
            switch step {
            case let .convolution(p, weight, bias, inChannels, relu):
                ops.append(Op(kind: .convolution(weight: weight, bias: bias, outChannels: p.numOutput, relu: relu),
                              inChannels: inChannels, kernelH: p.kernelH, kernelW: p.kernelW, dilationH: dh, dilationW: dw,
                              shiftH: dh * p.padH, shiftW: dw * p.padW))
            case let .pooling(p, channels):
                ops.append(Op(kind: .pooling(p.method), inChannels: channels, kernelH: p.kernelH, kernelW: p.kernelW,
                              dilationH: dh, dilationW: dw, shiftH: 0, shiftW: 0))
                dh *= p.strideH; dw *= p.strideW
            case let .innerProduct(outputs, weight, bias, channels, height, width, relu):
                // The first sees (C, h, w) at dilation d; later ones see (C, 1, 1): a 1x1 convolution.
                let (kh, kw) = sawInnerProduct ? (1, 1) : (height, width)
                ops.append(Op(kind: .convolution(weight: weight, bias: bias, outChannels: outputs, relu: relu),
                              inChannels: channels, kernelH: kh, kernelW: kw, dilationH: dh, dilationW: dw,
                              shiftH: 0, shiftW: 0, fromInnerProduct: true))
                sawInnerProduct = true
            }
        }
    }

    /// Input margin needed before the first output (rows, columns): the sum of the shifts.
    var leadingMargin: (h: Int, w: Int) { (ops.reduce(0) { $0 + $1.shiftH }, ops.reduce(0) { $0 + $1.shiftW }) }
    /// Extra input positions beyond the output size (rows, columns).
    var totalExtent: (h: Int, w: Int) { (ops.reduce(0) { $0 + $1.extentH }, ops.reduce(0) { $0 + $1.extentW }) }

    /// oneDNN stages for a tile of `height x width` outputs, with the parameters of each parametric stage.
    func stages(height: Int, width: Int) -> (stages: [InferenceChain.Stage], parameters: [(stage: Int, weight: [Float], bias: [Float]?)]) {
        var h = height + totalExtent.h, w = width + totalExtent.w
        var stages: [InferenceChain.Stage] = [], parameters: [(Int, [Float], [Float]?)] = []
        for op in ops {
            switch op.kind {
            case let .convolution(weight, bias, out, relu):
                let g = ConvolutionGeometry(batch: 1, inChannels: op.inChannels, inHeight: h, inWidth: w, outChannels: out,
                                            kernelH: op.kernelH, kernelW: op.kernelW, dilationH: op.dilationH,
                                            dilationW: op.dilationW, hasBias: bias != nil)
                parameters.append((stages.count, weight, bias))
                stages.append(.convolution(g, relu: relu))
            case let .pooling(method) where method == .average && (op.dilationH > 1 || op.dilationW > 1):
                // oneDNN 2.6 has no JIT kernel for dilated pooling; its reference kernel made a 500x500 map take
                // 20 s. An unpadded average pool is a depthwise convolution with weights 1/(kh*kw), which runs JIT.
                let g = ConvolutionGeometry(batch: 1, inChannels: op.inChannels, inHeight: h, inWidth: w,
                                            outChannels: op.inChannels, kernelH: op.kernelH, kernelW: op.kernelW,
                                            dilationH: op.dilationH, dilationW: op.dilationW, group: op.inChannels,
                                            hasBias: false)
                let taps = op.kernelH * op.kernelW
                parameters.append((stages.count, [Float](repeating: 1 / Float(taps), count: op.inChannels * taps), nil))
                stages.append(.convolution(g, relu: false))
            case let .pooling(method):
                stages.append(.pooling(PoolingGeometry(method: method, batch: 1, channels: op.inChannels, inHeight: h, inWidth: w,
                                                       kernelH: op.kernelH, kernelW: op.kernelW,
                                                       dilationH: op.dilationH, dilationW: op.dilationW)))
            }
            h -= op.extentH; w -= op.extentW
        }
        return (stages, parameters)
    }
}
