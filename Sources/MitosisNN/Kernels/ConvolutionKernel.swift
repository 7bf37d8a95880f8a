// Caffe "Convolution" on oneDNN: forward, backward-data and backward-weights for one fixed shape.
import CDNNL

/// Convolution forward and backward on plain NCHW buffers, with oneDNN's own layouts inside.
///
/// Buffers: input (N, in, H, W); weights (out, in / group, kh, kw); bias (out); output
/// (N, out, outHeight, outWidth). Dilation is Caffe's (1 = dense); oneDNN's 0-based convention is
/// applied here. Backward primitives are created on first use, so an inference-only kernel never builds
/// them. Outputs are overwritten.
public final class ConvolutionKernel: ConvolutionComputing {
    /// The shape this kernel was made for.
    public let geometry: ConvolutionGeometry

    private let forwardPrimitive: Primitive
    private let forwardInput: Edge
    private let forwardWeights: Edge
    private let forwardOutput: Edge
    private let biasMemory: Memory
    private lazy var dataBackward = DataBackward(self)
    private lazy var weightsBackward = WeightsBackward(self)
    private var builtBackward: [String: String] = [:]

    /// Creates the forward primitive for `geometry` (checked; an inconsistent one stops the program).
    public init(_ geometry: ConvolutionGeometry) {
        DNNL.require(Self.isValid(geometry), "invalid convolution geometry \(geometry)")
        self.geometry = geometry
        let g = geometry
        var desc = dnnl_convolution_desc_t()
        var anyInput = Self.inputDesc(g, dnnl_format_tag_any)
        var anyWeights = Self.weightsDesc(g, dnnl_format_tag_any)
        var bias = MemoryDesc.f32([g.outChannels], dnnl_a)
        var anyOutput = Self.outputDesc(g, dnnl_format_tag_any)
        let c = Params(g)
        let status = withUnsafeMutablePointer(to: &bias) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &desc, dnnl_forward_training, dnnl_convolution_direct, &anyInput, &anyWeights,
                g.hasBias ? biasPointer : nil, &anyOutput, c.strides, c.dilates, c.padL, c.padR)
        }
        DNNL.check(status, "convolution_forward_desc_init \(g)")
        forwardPrimitive = Primitive(opDesc: &desc, what: "convolution forward \(g)")
        forwardInput = Edge(plain: Self.inputDesc(g, dnnl_nchw),
                            primitive: forwardPrimitive.memoryDesc(dnnl_query_src_md), isInput: true)
        forwardWeights = Edge(plain: Self.weightsDesc(g, Self.plainWeightsTag(g)),
                              primitive: forwardPrimitive.memoryDesc(dnnl_query_weights_md), isInput: true)
        forwardOutput = Edge(plain: Self.outputDesc(g, dnnl_nchw),
                             primitive: forwardPrimitive.memoryDesc(dnnl_query_dst_md), isInput: false)
        biasMemory = Memory(bias, owning: false)
    }

    /// oneDNN implementation names: "forward", plus "backwardData" / "backwardWeights" once built.
    public var implementations: [String: String] {
        builtBackward.merging(["forward": forwardPrimitive.implementation]) { $1 }
    }

    /// Builds the backward primitives now (otherwise built on first use).
    public func prepareBackward() {
        builtBackward["backwardData"] = dataBackward.primitive.implementation
        builtBackward["backwardWeights"] = weightsBackward.primitive.implementation
    }

    /// `output = conv(input, weight) + bias`; reorders the weights.
    public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        forward(input: input, weight: weight, bias: bias, output: output, weightsChanged: true)
    }

    /// `output = conv(input, weight) + bias`.
    ///
    /// - Parameter weightsChanged: `false` reuses the weights reordered by the previous forward call
    ///   (pass `true` after every update of `weight`).
    public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, weightsChanged: Bool) {
        DNNL.require(geometry.hasBias == (bias != nil), "bias must be given exactly when the geometry has one")
        var args = [
            (DNNL_ARG_SRC, forwardInput.input(input)),
            (DNNL_ARG_WEIGHTS, forwardWeights.input(weight, refresh: weightsChanged)),
            (DNNL_ARG_DST, forwardOutput.output(output)),
        ]
        if let bias {
            biasMemory.bind(bias)
            args.append((DNNL_ARG_BIAS, biasMemory.handle))
        }
        forwardPrimitive.execute(args)
        forwardOutput.finish(output)
    }

    /// `inputGrad = d loss / d input`; reorders the weights.
    public func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             inputGrad: UnsafeMutablePointer<Float>) {
        backwardData(outputGrad: outputGrad, weight: weight, inputGrad: inputGrad, weightsChanged: true)
    }

    /// `inputGrad = d loss / d input`; `weightsChanged: false` reuses the previous call's reordered weights.
    public func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             inputGrad: UnsafeMutablePointer<Float>, weightsChanged: Bool) {
        let b = dataBackward
        builtBackward["backwardData"] = b.primitive.implementation
        b.primitive.execute([
            (DNNL_ARG_DIFF_DST, b.outputGradient.input(outputGrad)),
            (DNNL_ARG_WEIGHTS, b.weights.input(weight, refresh: weightsChanged)),
            (DNNL_ARG_DIFF_SRC, b.inputGradient.output(inputGrad)),
        ])
        b.inputGradient.finish(inputGrad)
    }

    /// `weightGrad` (and `biasGrad`) = d loss / d weight (bias), summed over the batch; overwritten.
    public func backwardWeights(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                                weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?) {
        DNNL.require(geometry.hasBias == (biasGrad != nil), "bias gradient must be given exactly when the geometry has a bias")
        let b = weightsBackward
        builtBackward["backwardWeights"] = b.primitive.implementation
        var args = [
            (DNNL_ARG_SRC, b.input.input(input)),
            (DNNL_ARG_DIFF_DST, b.outputGradient.input(outputGrad)),
            (DNNL_ARG_DIFF_WEIGHTS, b.weightsGradient.output(weightGrad)),
        ]
        if let biasGrad, let e = b.biasGradient { args.append((DNNL_ARG_DIFF_BIAS, e.output(biasGrad))) }
        b.primitive.execute(args)
        b.weightsGradient.finish(weightGrad)
        if let biasGrad { b.biasGradient?.finish(biasGrad) }
    }

    /// Backward-weights, then (when `inputGrad` is given) backward-data, reordering `outputGrad` into
    /// oneDNN's layout once for both when the two primitives chose the same layout.
    ///
    /// - Parameter weightsChanged: `false` reuses the weights reordered by the previous backward-data call.
    public func backward(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         inputGrad: UnsafeMutablePointer<Float>?, weightGrad: UnsafeMutablePointer<Float>,
                         biasGrad: UnsafeMutablePointer<Float>?, weightsChanged: Bool = true) {
        DNNL.require(geometry.hasBias == (biasGrad != nil), "bias gradient must be given exactly when the geometry has a bias")
        let w = weightsBackward
        builtBackward["backwardWeights"] = w.primitive.implementation
        let dy = w.outputGradient.input(outputGrad)
        var args = [(DNNL_ARG_SRC, w.input.input(input)), (DNNL_ARG_DIFF_DST, dy),
                    (DNNL_ARG_DIFF_WEIGHTS, w.weightsGradient.output(weightGrad))]
        if let biasGrad, let e = w.biasGradient { args.append((DNNL_ARG_DIFF_BIAS, e.output(biasGrad))) }
        w.primitive.execute(args)
        w.weightsGradient.finish(weightGrad)
        if let biasGrad { w.biasGradient?.finish(biasGrad) }
        guard let inputGrad else { return }
        let d = dataBackward
        builtBackward["backwardData"] = d.primitive.implementation
        let shared = d.outputGradient.primitiveDesc.sameLayout(as: w.outputGradient.primitiveDesc)
        d.primitive.execute([
            (DNNL_ARG_DIFF_DST, shared ? dy : d.outputGradient.input(outputGrad)),
            (DNNL_ARG_WEIGHTS, d.weights.input(weight, refresh: weightsChanged)),
            (DNNL_ARG_DIFF_SRC, d.inputGradient.output(inputGrad)),
        ])
        d.inputGradient.finish(inputGrad)
    }

    // MARK: - Descriptors

    /// Strides, oneDNN dilations, and left/right padding for one geometry.
    struct Params {
        var strides: [Int64], dilates: [Int64], padL: [Int64], padR: [Int64]
        init(_ g: ConvolutionGeometry) {
            strides = dnnlDims([g.strideH, g.strideW])
            dilates = dnnlDims([g.dilationH - 1, g.dilationW - 1])  // oneDNN: 0 = dense
            padL = dnnlDims([g.padH, g.padW])
            // Right padding that makes oneDNN's output size equal Caffe's floor rule.
            let extentH = g.dilationH * (g.kernelH - 1) + 1, extentW = g.dilationW * (g.kernelW - 1) + 1
            padR = dnnlDims([(g.outHeight - 1) * g.strideH + extentH - g.inHeight - g.padH,
                             (g.outWidth - 1) * g.strideW + extentW - g.inWidth - g.padW])
        }
    }

    static func isValid(_ g: ConvolutionGeometry) -> Bool {
        g.batch > 0 && g.inChannels > 0 && g.outChannels > 0 && g.group > 0
            && g.inChannels % g.group == 0 && g.outChannels % g.group == 0
            && g.kernelH > 0 && g.kernelW > 0 && g.strideH > 0 && g.strideW > 0
            && g.padH >= 0 && g.padW >= 0 && g.dilationH > 0 && g.dilationW > 0
            && g.outHeight > 0 && g.outWidth > 0
    }

    static func inputDesc(_ g: ConvolutionGeometry, _ tag: dnnl_format_tag_t) -> MemoryDesc {
        .f32(g.inputShape, tag)
    }

    static func outputDesc(_ g: ConvolutionGeometry, _ tag: dnnl_format_tag_t) -> MemoryDesc {
        .f32(g.outputShape, tag)
    }

    /// (out, in, kh, kw) without groups, (group, out/group, in/group, kh, kw) with: the same bytes as Caffe's.
    static func weightsDesc(_ g: ConvolutionGeometry, _ tag: dnnl_format_tag_t) -> MemoryDesc {
        if g.group == 1 { return .f32(g.weightShape, tag) }
        return .f32([g.group, g.outChannels / g.group, g.inChannels / g.group, g.kernelH, g.kernelW], tag)
    }

    static func plainWeightsTag(_ g: ConvolutionGeometry) -> dnnl_format_tag_t { g.group == 1 ? dnnl_oihw : dnnl_goihw }

    var forwardHint: Primitive { forwardPrimitive }
}
