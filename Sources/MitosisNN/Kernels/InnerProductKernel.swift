// Caffe "InnerProduct" on oneDNN: forward, backward-data and backward-weights for one fixed shape.
import CDNNL

/// Inner product forward and backward on plain buffers: input (N, in), weights (out, in), bias (out),
/// output (N, out). A 4-D input blob is passed flattened, (N, C*H*W), exactly as Caffe does. The weights
/// take the layout oneDNN prefers (reordered on every call unless `weightsChanged: false`). Outputs are
/// overwritten.
public final class InnerProductKernel: InnerProductComputing {
    /// The shape this kernel was made for.
    public let geometry: InnerProductGeometry

    private let forwardPrimitive: Primitive
    private let forwardInput: Edge
    private let forwardWeights: Edge
    private let forwardOutput: Edge
    private let biasMemory: Memory
    private lazy var dataBackward = DataBackward(self)
    private lazy var weightsBackward = WeightsBackward(self)
    private var builtBackward: [String: String] = [:]

    /// Creates the forward primitive for `geometry` (checked; an inconsistent one stops the program).
    public init(_ geometry: InnerProductGeometry) {
        let g = geometry
        DNNL.require(g.batch > 0 && g.inputs > 0 && g.outputs > 0, "invalid inner product geometry \(g)")
        self.geometry = g
        var desc = dnnl_inner_product_desc_t()
        var src = Self.inputDesc(g)
        var anyWeights = MemoryDesc.f32([g.outputs, g.inputs], dnnl_format_tag_any)
        var bias = MemoryDesc.f32([g.outputs], dnnl_a)
        var dst = Self.outputDesc(g)
        let status = withUnsafeMutablePointer(to: &bias) { biasPointer in
            dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_training, &src, &anyWeights,
                                                 g.hasBias ? biasPointer : nil, &dst)
        }
        DNNL.check(status, "inner_product_forward_desc_init \(g)")
        forwardPrimitive = Primitive(opDesc: &desc, what: "inner product forward \(g)")
        forwardInput = Edge(plain: src, primitive: forwardPrimitive.memoryDesc(dnnl_query_src_md), isInput: true)
        forwardWeights = Edge(plain: Self.weightsDesc(g),
                              primitive: forwardPrimitive.memoryDesc(dnnl_query_weights_md), isInput: true)
        forwardOutput = Edge(plain: dst, primitive: forwardPrimitive.memoryDesc(dnnl_query_dst_md), isInput: false)
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

    /// `output = input * weight^T + bias`; reorders the weights.
    public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        forward(input: input, weight: weight, bias: bias, output: output, weightsChanged: true)
    }

    /// `output = input * weight^T + bias`; `weightsChanged: false` reuses the previous call's reordered weights.
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

    /// `inputGrad = outputGrad * weight`.
    public func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             inputGrad: UnsafeMutablePointer<Float>) {
        backwardData(outputGrad: outputGrad, weight: weight, inputGrad: inputGrad, weightsChanged: true)
    }

    /// `inputGrad = outputGrad * weight`; `weightsChanged: false` reuses the previous call's reordered weights.
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

    /// `weightGrad = outputGrad^T * input`, `biasGrad` = column sums of `outputGrad`; overwritten.
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

    static func inputDesc(_ g: InnerProductGeometry) -> MemoryDesc { .f32([g.batch, g.inputs], dnnl_nc) }
    static func outputDesc(_ g: InnerProductGeometry) -> MemoryDesc { .f32([g.batch, g.outputs], dnnl_nc) }
    static func weightsDesc(_ g: InnerProductGeometry) -> MemoryDesc { .f32([g.outputs, g.inputs], dnnl_oi) }
    var forwardHint: Primitive { forwardPrimitive }
}

extension InnerProductKernel {
    /// Backward-data: output gradient and weights -> input gradient.
    final class DataBackward {
        let primitive: Primitive
        let outputGradient: Edge
        let weights: Edge
        let inputGradient: Edge

        init(_ k: InnerProductKernel) {
            let g = k.geometry
            var desc = dnnl_inner_product_desc_t()
            var diffSrc = InnerProductKernel.inputDesc(g)
            var w = MemoryDesc.f32([g.outputs, g.inputs], dnnl_format_tag_any)
            var diffDst = InnerProductKernel.outputDesc(g)
            DNNL.check(dnnl_inner_product_backward_data_desc_init(&desc, &diffSrc, &w, &diffDst),
                       "inner_product_backward_data_desc_init \(g)")
            primitive = Primitive(opDesc: &desc, hint: k.forwardHint, what: "inner product backward data \(g)")
            outputGradient = Edge(plain: diffDst, primitive: primitive.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            weights = Edge(plain: InnerProductKernel.weightsDesc(g),
                           primitive: primitive.memoryDesc(dnnl_query_weights_md), isInput: true)
            inputGradient = Edge(plain: diffSrc, primitive: primitive.memoryDesc(dnnl_query_diff_src_md), isInput: false)
        }
    }

    /// Backward-weights: input and output gradient -> weights and bias gradients.
    final class WeightsBackward {
        let primitive: Primitive
        let input: Edge
        let outputGradient: Edge
        let weightsGradient: Edge
        let biasGradient: Edge?

        init(_ k: InnerProductKernel) {
            let g = k.geometry
            var desc = dnnl_inner_product_desc_t()
            var src = InnerProductKernel.inputDesc(g)
            var diffW = MemoryDesc.f32([g.outputs, g.inputs], dnnl_format_tag_any)
            var diffB = MemoryDesc.f32([g.outputs], dnnl_a)
            var diffDst = InnerProductKernel.outputDesc(g)
            let status = withUnsafeMutablePointer(to: &diffB) { biasPointer in
                dnnl_inner_product_backward_weights_desc_init(&desc, &src, &diffW, g.hasBias ? biasPointer : nil, &diffDst)
            }
            DNNL.check(status, "inner_product_backward_weights_desc_init \(g)")
            primitive = Primitive(opDesc: &desc, hint: k.forwardHint, what: "inner product backward weights \(g)")
            input = Edge(plain: src, primitive: primitive.memoryDesc(dnnl_query_src_md), isInput: true)
            outputGradient = Edge(plain: diffDst, primitive: primitive.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            weightsGradient = Edge(plain: InnerProductKernel.weightsDesc(g),
                                   primitive: primitive.memoryDesc(dnnl_query_diff_weights_md), isInput: false)
            biasGradient = g.hasBias
                ? Edge(plain: diffB, primitive: primitive.memoryDesc(dnnl_query_diff_weights_md, index: 1), isInput: false)
                : nil
        }
    }
}
