// A forward-only chain of oneDNN primitives that keeps activations in oneDNN's blocked layouts between
// layers, for probability maps and other inference: convolution (+ReLU), pooling, inner product (+ReLU).
import CDNNL

/// Forward-only pipeline of convolution, pooling and inner-product stages on oneDNN.
///
/// Unlike the per-layer kernels, activations never go back to plain NCHW between stages: each primitive
/// reads the previous one's blocked output (a reorder is inserted only where two stages disagree), ReLU is
/// fused into the preceding convolution or inner product as a post-op, and weights are reordered once, in
/// `setParameters`. Only the chain's input (N, C, H, W) and output (N, outputs) are plain.
///
/// A ReLU that follows a MAX pooling can be moved in front of it (`relu(max(x)) == max(relu(x))`), so the
/// tutorial net is `conv1+relu, pool1, conv2+relu, pool2, conv3+relu, pool3, ip1, ip2`.
public final class InferenceChain {
    /// One stage of the chain.
    public enum Stage {
        /// Convolution with Caffe's geometry, optionally followed by a fused ReLU.
        case convolution(ConvolutionGeometry, relu: Bool)
        /// MAX or AVE pooling with Caffe's output size (pad must be 0: the AVE divisor then needs no correction).
        case pooling(PoolingGeometry)
        /// Inner product over the flattened previous output, optionally followed by a fused ReLU.
        case innerProduct(InnerProductGeometry, relu: Bool)
    }

    /// Images per primitive call (the batch the stages were declared with).
    public let batch: Int
    /// Values per image in the input and in the output.
    public let inputCount: Int
    public private(set) var outputCount = 0
    /// oneDNN implementation of each stage, in order.
    public private(set) var implementations: [String] = []

    private var steps: [(primitive: Primitive, args: [(Int32, dnnl_memory_t)])] = []
    private var parameters: [Int: Parameters] = [:]
    private var owned: [Memory] = []
    private let input: Memory
    private var output: Memory! = nil
    private var staging: UnsafeMutablePointer<Float>! = nil

    /// Builds every primitive; shapes must chain (each stage's input is the previous stage's output).
    public init(_ stages: [Stage]) {
        DNNL.require(!stages.isEmpty, "an inference chain needs at least one stage")
        let first = Self.inputShape(stages[0])
        batch = first[0]
        inputCount = first.dropFirst().reduce(1, *)
        input = Memory(.f32(first, dnnl_nchw), owning: false)
        var current = input
        for (index, stage) in stages.enumerated() {
            current = append(stage, index: index, after: current)
        }
        // The output is (N, outputs) plain; let the last primitive write there directly if it can.
        let dims = current.desc.shape
        outputCount = dims.dropFirst().reduce(1, *)
        output = Memory(.f32(dims, dims.count == 2 ? dnnl_nc : dnnl_nchw), owning: false)
        let out = output.handle
        if current.desc.sameLayout(as: output.desc), let last = steps.indices.last {
            steps[last].args = steps[last].args.map { $0.0 == DNNL_ARG_DST ? (DNNL_ARG_DST, out) : $0 }
        } else {
            steps.append((Primitive.reorder(from: current.desc, to: output.desc),
                          [(DNNL_ARG_FROM, current.handle), (DNNL_ARG_TO, out)]))
        }
        staging = .allocate(capacity: batch * max(inputCount, outputCount))
    }

    deinit { staging.deallocate() }

    /// Copies (and reorders) one parametric stage's weights (Caffe layout) and bias.
    public func setParameters(stage: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?) {
        guard let p = parameters[stage] else { fatalError("stage \(stage) has no parameters") }
        p.plainWeights.bind(weight)
        p.reorder.execute([(DNNL_ARG_FROM, p.plainWeights.handle), (DNNL_ARG_TO, p.weights.handle)])
        DNNL.require((bias != nil) == (p.bias != nil), "bias must be given exactly when stage \(stage) has one")
        if let bias, let b = p.bias { b.data.update(from: bias, count: b.desc.byteCount / 4) }
    }

    /// Runs `count` images (any number: processed `batch` at a time) from plain (count, C, H, W) input
    /// to plain (count, outputs) output.
    public func forward(input images: UnsafePointer<Float>, count: Int, output result: UnsafeMutablePointer<Float>) {
        var done = 0
        while done < count {
            let n = min(batch, count - done)
            let src = images + done * inputCount, dst = result + done * outputCount
            if n == batch {
                run(src, dst)
            } else {
                staging.update(from: src, count: n * inputCount)
                (staging + n * inputCount).update(repeating: 0, count: (batch - n) * inputCount)
                run(staging, staging)
                dst.update(from: staging, count: n * outputCount)
            }
            done += n
        }
    }

    private func run(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        input.bind(src)
        output.bind(dst)
        for step in steps { step.primitive.execute(step.args) }
    }

    // MARK: - Building

    /// Weights and bias of one stage, in the primitive's layout, with the reorder from Caffe's layout.
    struct Parameters {
        let plainWeights: Memory
        let weights: Memory
        let reorder: Primitive
        let bias: Memory?
    }

    private func keep(_ desc: MemoryDesc) -> Memory {
        let m = Memory(desc, owning: true)
        owned.append(m)
        return m
    }

    /// `current` in the layout `desc`, adding a reorder step when it is in another layout.
    private func source(_ current: Memory, as desc: MemoryDesc) -> Memory {
        if current.desc.sameLayout(as: desc) { return current }
        let m = keep(desc)
        steps.append((Primitive.reorder(from: current.desc, to: desc), [(DNNL_ARG_FROM, current.handle), (DNNL_ARG_TO, m.handle)]))
        return m
    }

    private func append(_ stage: Stage, index: Int, after current: Memory) -> Memory {
        switch stage {
        case let .convolution(g, relu):
            var desc = dnnl_convolution_desc_t()
            var src = ConvolutionKernel.inputDesc(g, dnnl_format_tag_any)
            var w = ConvolutionKernel.weightsDesc(g, dnnl_format_tag_any)
            var b = MemoryDesc.f32([g.outChannels], dnnl_a)
            var dst = ConvolutionKernel.outputDesc(g, dnnl_format_tag_any)
            let c = ConvolutionKernel.Params(g)
            let status = withUnsafeMutablePointer(to: &b) { bp in
                dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &src, &w,
                                                           g.hasBias ? bp : nil, &dst, c.strides, c.dilates, c.padL, c.padR)
            }
            DNNL.check(status, "chain convolution \(g)")
            let plain = ConvolutionKernel.weightsDesc(g, ConvolutionKernel.plainWeightsTag(g))
            return appendParametric(&desc, relu: relu, index: index, after: current, plainWeights: plain,
                                    bias: g.hasBias ? b : nil, what: "chain convolution \(g)")
        case let .pooling(g):
            DNNL.require(g.padH == 0 && g.padW == 0, "chain pooling supports pad 0 only (\(g))")
            var desc = dnnl_pooling_v2_desc_t()
            var src = current.desc.shape == g.inputShape ? current.desc : .f32(g.inputShape, dnnl_nChw8c)
            var dst = MemoryDesc.f32(g.outputShape, dnnl_format_tag_any)
            let p = PoolingKernel.Params(g)
            DNNL.check(dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, PoolingKernel.algorithm(g), &src, &dst,
                                                         p.strides, p.kernel, p.dilation, p.padL, p.padR), "chain pooling \(g)")
            let primitive = Primitive(opDesc: &desc, what: "chain pooling \(g)")
            let from = source(current, as: primitive.memoryDesc(dnnl_query_src_md))
            let out = keep(primitive.memoryDesc(dnnl_query_dst_md))
            steps.append((primitive, [(DNNL_ARG_SRC, from.handle), (DNNL_ARG_DST, out.handle)]))
            implementations.append(primitive.implementation)
            return out
        case let .innerProduct(g, relu):
            // Over a 4-D input the weights are (out, C, H, W): the same bytes as Caffe's (out, C*H*W).
            let inShape = current.desc.shape
            DNNL.require(inShape.dropFirst().reduce(1, *) == g.inputs, "chain inner product \(g) after \(inShape)")
            let wShape = [g.outputs] + inShape.dropFirst()
            var desc = dnnl_inner_product_desc_t()
            var src = MemoryDesc.f32(inShape, dnnl_format_tag_any)
            var w = MemoryDesc.f32(wShape, dnnl_format_tag_any)
            var b = MemoryDesc.f32([g.outputs], dnnl_a)
            var dst = MemoryDesc.f32([g.batch, g.outputs], dnnl_format_tag_any)
            let status = withUnsafeMutablePointer(to: &b) { bp in
                dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_inference, &src, &w, g.hasBias ? bp : nil, &dst)
            }
            DNNL.check(status, "chain inner product \(g)")
            let plain = MemoryDesc.f32(wShape, inShape.count == 4 ? dnnl_oihw : dnnl_oi)
            return appendParametric(&desc, relu: relu, index: index, after: current, plainWeights: plain,
                                    bias: g.hasBias ? b : nil, what: "chain inner product \(g)")
        }
    }

    private func appendParametric(_ desc: UnsafeRawPointer, relu: Bool, index: Int, after current: Memory,
                                  plainWeights: MemoryDesc, bias: MemoryDesc?, what: String) -> Memory {
        var attr: dnnl_primitive_attr_t?
        var postOps: dnnl_post_ops_t?
        DNNL.check(dnnl_primitive_attr_create(&attr), "attr_create")
        defer { dnnl_primitive_attr_destroy(attr) }
        if relu {
            DNNL.check(dnnl_post_ops_create(&postOps), "post_ops_create")
            DNNL.check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "append relu")
            DNNL.check(dnnl_primitive_attr_set_post_ops(attr, postOps), "set_post_ops")
            dnnl_post_ops_destroy(postOps)
        }
        let primitive = Primitive(opDesc: desc, attr: attr, what: what)
        let from = source(current, as: primitive.memoryDesc(dnnl_query_src_md))
        let weights = keep(primitive.memoryDesc(dnnl_query_weights_md))
        let biasMemory = bias.map { keep($0) }
        let out = keep(primitive.memoryDesc(dnnl_query_dst_md))
        var args = [(DNNL_ARG_SRC, from.handle), (DNNL_ARG_WEIGHTS, weights.handle), (DNNL_ARG_DST, out.handle)]
        if let biasMemory { args.append((DNNL_ARG_BIAS, biasMemory.handle)) }
        steps.append((primitive, args))
        implementations.append(primitive.implementation)
        parameters[index] = Parameters(plainWeights: Memory(plainWeights, owning: false), weights: weights,
                                       reorder: Primitive.reorder(from: plainWeights, to: weights.desc), bias: biasMemory)
        return out
    }

    private static func inputShape(_ stage: Stage) -> [Int] {
        switch stage {
        case let .convolution(g, _): return g.inputShape
        case let .pooling(g): return g.inputShape
        case let .innerProduct(g, _): return [g.batch, g.inputs]
        }
    }
}
