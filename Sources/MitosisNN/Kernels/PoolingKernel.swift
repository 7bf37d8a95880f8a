// Caffe "Pooling" (MAX and AVE) on oneDNN, with Caffe's ceil-mode output size and average divisor.
import CDNNL

/// Max or average pooling forward and backward on plain NCHW buffers, with Caffe's semantics.
///
/// Caffe's output size `ceil((H + 2*pad - k) / s) + 1` (one fewer if the last window would start in the
/// padding) is realised with asymmetric oneDNN padding: `padding_r = (out-1)*s + k - H - pad`, which can
/// exceed `pad`. Caffe's average divides by the window clipped to the padded input `[-pad, H + pad)`: it
/// counts the symmetric padding but not that extra right padding, so it is neither of oneDNN's divisors.
/// The kernel runs oneDNN's `exclude_padding` and multiplies each output by
/// `(taps inside the image) / (taps inside the padded input)`, a separable factor that is 1 everywhere
/// when `pad == 0` (the tutorial's case); backward scales the output gradient by the same factor first.
/// Dilation (not in Caffe; for the "a trous" rewrite) is Caffe-style, 1 = dense.
public final class PoolingKernel: PoolingComputing {
    /// The shape this kernel was made for.
    public let geometry: PoolingGeometry

    private let forwardPrimitive: Primitive
    private let forwardInput: Edge
    private let forwardOutput: Edge
    private let workspace: Memory?
    private let isInference: Bool
    private lazy var backwardPass = Backward(self)
    /// Caffe divisor corrections per output row / column (nil when all are 1).
    let rowFactors: [Float]?
    let columnFactors: [Float]?

    /// Creates the forward primitive for `geometry` (checked; an inconsistent one stops the program).
    ///
    /// - Parameter inference: forward only; MAX then skips writing its argmax workspace and `backward`
    ///   must not be called.
    /// - Parameter blocked: run oneDNN on the channel-blocked `nChw8c` layout with reorders at the edges
    ///   (default), or directly on the caller's NCHW buffers with oneDNN's generic `simple_nchw` loop.
    public init(_ geometry: PoolingGeometry, inference: Bool = false, blocked: Bool = true) {
        let g = geometry
        DNNL.require(g.batch > 0 && g.channels > 0 && g.kernelH > 0 && g.kernelW > 0 && g.strideH > 0 && g.strideW > 0
                     && g.padH >= 0 && g.padW >= 0 && g.dilationH > 0 && g.dilationW > 0
                     && g.outHeight > 0 && g.outWidth > 0, "invalid pooling geometry \(g)")
        self.geometry = g
        isInference = inference
        var desc = dnnl_pooling_v2_desc_t()
        // oneDNN's pooling on plain NCHW is a slow generic loop ("simple_nchw"); its JIT kernels want the
        // channel-blocked layout, so the kernel reorders at its edges.
        let layout = blocked ? dnnl_nChw8c : dnnl_nchw
        var src = MemoryDesc.f32(g.inputShape, layout)
        var anyDst = MemoryDesc.f32(g.outputShape, dnnl_format_tag_any)
        let p = Params(g)
        DNNL.check(dnnl_pooling_v2_forward_desc_init(
            &desc, inference ? dnnl_forward_inference : dnnl_forward_training, Self.algorithm(g), &src, &anyDst,
            p.strides, p.kernel, p.dilation, p.padL, p.padR), "pooling_forward_desc_init \(g)")
        forwardPrimitive = Primitive(opDesc: &desc, what: "pooling forward \(g)")
        forwardInput = Edge(plain: MemoryDesc.f32(g.inputShape, dnnl_nchw), primitive: forwardPrimitive.memoryDesc(dnnl_query_src_md), isInput: true)
        forwardOutput = Edge(plain: MemoryDesc.f32(g.outputShape, dnnl_nchw),
                             primitive: forwardPrimitive.memoryDesc(dnnl_query_dst_md), isInput: false)
        let ws = forwardPrimitive.memoryDesc(dnnl_query_workspace_md)
        workspace = ws.ndims > 0 ? Memory(ws, owning: true) : nil
        if g.method == .average {
            rowFactors = Self.divisorFactors(g.inHeight, g.outHeight, g.kernelH, g.strideH, g.padH, g.dilationH)
            columnFactors = Self.divisorFactors(g.inWidth, g.outWidth, g.kernelW, g.strideW, g.padW, g.dilationW)
        } else {
            rowFactors = nil; columnFactors = nil
        }
    }

    /// oneDNN implementation names: "forward", plus "backward" once built.
    public var implementations: [String: String] {
        var names = ["forward": forwardPrimitive.implementation]
        if let backwardName { names["backward"] = backwardName }
        return names
    }
    private var backwardName: String?

    /// Builds the backward primitive now (otherwise built on first use).
    public func prepareBackward() { backwardName = backwardPass.primitive.implementation }

    /// `output = pool(input)`; MAX keeps the argmax workspace for `backward`.
    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        var args = [(DNNL_ARG_SRC, forwardInput.input(input)), (DNNL_ARG_DST, forwardOutput.output(output))]
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace.handle)) }
        forwardPrimitive.execute(args)
        forwardOutput.finish(output)
        if rowFactors != nil || columnFactors != nil {
            scale(output, from: nil)
        }
    }

    /// `inputGrad = d loss / d input` for the input of the last `forward` (overwritten).
    public func backward(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                         inputGrad: UnsafeMutablePointer<Float>) {
        DNNL.require(!isInference, "backward on a pooling kernel made for inference")
        let b = backwardPass
        backwardName = b.primitive.implementation
        var gradient = outputGrad
        if let scaled = b.scaledGradient {
            scale(scaled, from: outputGrad)
            gradient = UnsafePointer(scaled)
        }
        var args = [(DNNL_ARG_DIFF_DST, b.outputGradient.input(gradient)),
                    (DNNL_ARG_DIFF_SRC, b.inputGradient.output(inputGrad))]
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace.handle)) }
        b.primitive.execute(args)
        b.inputGradient.finish(inputGrad)
    }

    /// `target[n, c, y, x] = (source ?? target)[n, c, y, x] * rowFactors[y] * columnFactors[x]`.
    private func scale(_ target: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>?) {
        let g = geometry, oh = g.outHeight, ow = g.outWidth
        let rows = rowFactors ?? [Float](repeating: 1, count: oh)
        let cols = columnFactors ?? [Float](repeating: 1, count: ow)
        let src = source ?? UnsafePointer(target)
        for plane in 0..<(g.batch * g.channels) {
            let base = plane * oh * ow
            for y in 0..<oh {
                let r = rows[y], line = base + y * ow
                for x in 0..<ow { target[line + x] = src[line + x] * (r * cols[x]) }
            }
        }
    }

    // MARK: - Descriptors

    /// Strides, kernel, oneDNN dilation and the left/right padding that realise Caffe's output size.
    struct Params {
        var strides: [Int64], kernel: [Int64], dilation: [Int64], padL: [Int64], padR: [Int64]
        init(_ g: PoolingGeometry) {
            strides = dnnlDims([g.strideH, g.strideW])
            kernel = dnnlDims([g.kernelH, g.kernelW])
            dilation = dnnlDims([g.dilationH - 1, g.dilationW - 1])
            padL = dnnlDims([g.padH, g.padW])
            let extentH = g.dilationH * (g.kernelH - 1) + 1, extentW = g.dilationW * (g.kernelW - 1) + 1
            padR = dnnlDims([(g.outHeight - 1) * g.strideH + extentH - g.inHeight - g.padH,
                             (g.outWidth - 1) * g.strideW + extentW - g.inWidth - g.padW])
        }
    }

    static func algorithm(_ g: PoolingGeometry) -> dnnl_alg_kind_t {
        g.method == .max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding
    }

    /// Per output position along one axis: oneDNN's exclude-padding tap count over Caffe's padded tap
    /// count; nil when every factor is 1.
    static func divisorFactors(_ size: Int, _ out: Int, _ k: Int, _ s: Int, _ pad: Int, _ d: Int) -> [Float]? {
        var factors = [Float](repeating: 1, count: out)
        for o in 0..<out {
            var inside = 0, padded = 0
            for t in 0..<k {
                let i = o * s - pad + t * d
                if i >= 0 && i < size { inside += 1 }
                if i < size + pad { padded += 1 }
            }
            factors[o] = Float(inside) / Float(padded)
        }
        return factors.allSatisfy { $0 == 1 } ? nil : factors
    }
}

extension PoolingKernel {
    /// The backward primitive, built on first use with the forward primitive as hint.
    final class Backward {
        let primitive: Primitive
        let outputGradient: Edge
        let inputGradient: Edge
        /// A plain buffer for the factor-scaled output gradient (AVE with a divisor correction only).
        let scaledGradient: UnsafeMutablePointer<Float>?

        init(_ k: PoolingKernel) {
            let g = k.geometry
            var desc = dnnl_pooling_v2_desc_t()
            var diffSrc = k.forwardPrimitive.memoryDesc(dnnl_query_src_md)
            var diffDst = k.forwardPrimitive.memoryDesc(dnnl_query_dst_md)
            let p = Params(g)
            DNNL.check(dnnl_pooling_v2_backward_desc_init(
                &desc, PoolingKernel.algorithm(g), &diffSrc, &diffDst,
                p.strides, p.kernel, p.dilation, p.padL, p.padR), "pooling_backward_desc_init \(g)")
            primitive = Primitive(opDesc: &desc, hint: k.forwardPrimitive, what: "pooling backward \(g)")
            outputGradient = Edge(plain: MemoryDesc.f32(g.outputShape, dnnl_nchw),
                                  primitive: primitive.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            inputGradient = Edge(plain: MemoryDesc.f32(g.inputShape, dnnl_nchw), primitive: primitive.memoryDesc(dnnl_query_diff_src_md), isInput: false)
            let needsScaling = k.rowFactors != nil || k.columnFactors != nil
            scaledGradient = needsScaling ? .allocate(capacity: g.batch * g.channels * g.outHeight * g.outWidth) : nil
        }

        deinit { scaledGradient?.deallocate() }
    }
}
