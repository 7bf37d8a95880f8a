import MitosisNN
import MitosisSupport

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
///
/// With an output stride S > 1 (`init(_:outputStride:)`) the leading poolings keep their own stride until
/// their product is S: the dense pass then computes one output every S pixels in each direction, and each
/// op's dilation is counted on its input's grid (`d / g`, where `g` is the product of the kept strides before
/// it). A layer's position in pixels is unchanged (`origin + d * j` in patch mode; `origin + g * m` for dense
/// index m), so the shifts and the leading margin are the same as at stride 1; the work after the first
/// pooling drops by about S^2.
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
        /// Dilation on the grid of the op's input (see the type's comment).
        var dilationH: Int, dilationW: Int
        /// Native stride on the grid of the op's input: 1, except for the poolings an output stride keeps.
        var strideH = 1, strideW = 1
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
    /// Pixels between two outputs in each direction.
    var outputStride = 1

    /// - Parameter outputStride: one output every `outputStride` pixels; must be 1 or a product of the
    ///   leading poolings' strides (2, 4 or 8 for the tutorial's net, whose three poolings have stride 2).
    /// - Throws: `PipelineError.invalidOption` for any other value.
    init(_ plan: ClassifierPlan, outputStride: Int = 1) throws {
        // d: product of all strides so far (patch mode); g: of the strides kept (the dense grid's spacing).
        var dh = 1, dw = 1, g = 1
        var sawInnerProduct = false
        for step in plan.steps {
            switch step {
            case let .convolution(p, weight, bias, inChannels, relu):
                ops.append(Op(kind: .convolution(weight: weight, bias: bias, outChannels: p.numOutput, relu: relu),
                              inChannels: inChannels, kernelH: p.kernelH, kernelW: p.kernelW, dilationH: dh / g, dilationW: dw / g,
                              shiftH: dh * p.padH, shiftW: dw * p.padW))
            case let .pooling(p, channels):
                var op = Op(kind: .pooling(p.method), inChannels: channels, kernelH: p.kernelH, kernelW: p.kernelW,
                            dilationH: dh / g, dilationW: dw / g, shiftH: 0, shiftW: 0)
                // Kept while every stride before it was kept (so its dilation is 1) and the grid stays within S.
                if p.strideH == p.strideW, p.strideH > 1, dh == g, dw == g, g * p.strideH <= outputStride {
                    op.strideH = p.strideH; op.strideW = p.strideW
                    g *= p.strideH
                }
                ops.append(op)
                dh *= p.strideH; dw *= p.strideW
            case let .innerProduct(outputs, weight, bias, channels, height, width, relu):
                // The first sees (C, h, w) at dilation d; later ones see (C, 1, 1): a 1x1 convolution.
                let (kh, kw) = sawInnerProduct ? (1, 1) : (height, width)
                ops.append(Op(kind: .convolution(weight: weight, bias: bias, outChannels: outputs, relu: relu),
                              inChannels: channels, kernelH: kh, kernelW: kw, dilationH: dh / g, dilationW: dw / g,
                              shiftH: 0, shiftW: 0, fromInnerProduct: true))
                sawInnerProduct = true
            }
        }
        guard g == outputStride else {
            var reachable = [1], product = 1
            for case let .pooling(p, _) in plan.steps where p.strideH == p.strideW && p.strideH > 1 {
                product *= p.strideH; reachable.append(product)
            }
            throw PipelineError.invalidOption("map stride \(outputStride) is not possible with this net: its poolings allow \(reachable.map(String.init).joined(separator: ", "))")
        }
        self.outputStride = outputStride
    }

    /// Input positions (rows, columns) needed for a tile of `height x width` outputs.
    func inputSize(height: Int, width: Int) -> (h: Int, w: Int) {
        var h = height, w = width
        for op in ops.reversed() {
            h = (h - 1) * op.strideH + op.extentH + 1
            w = (w - 1) * op.strideW + op.extentW + 1
        }
        return (h, w)
    }

    /// Output size of `op` for an input of `h x w`.
    static func outputSize(_ op: Op, _ h: Int, _ w: Int) -> (h: Int, w: Int) {
        ((h - op.extentH - 1) / op.strideH + 1, (w - op.extentW - 1) / op.strideW + 1)
    }

    /// Input margin needed before the first output (rows, columns): the sum of the shifts.
    var leadingMargin: (h: Int, w: Int) { (ops.reduce(0) { $0 + $1.shiftH }, ops.reduce(0) { $0 + $1.shiftW }) }

    /// oneDNN stages for a tile of `height x width` outputs, with the parameters of each parametric stage.
    func stages(height: Int, width: Int) -> (stages: [InferenceChain.Stage], parameters: [(stage: Int, weight: [Float], bias: [Float]?)]) {
        var (h, w) = inputSize(height: height, width: width)
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
                                                       kernelH: op.kernelH, kernelW: op.kernelW, strideH: op.strideH,
                                                       strideW: op.strideW, dilationH: op.dilationH, dilationW: op.dilationW)))
            }
            (h, w) = Self.outputSize(op, h, w)
        }
        return (stages, parameters)
    }
}
