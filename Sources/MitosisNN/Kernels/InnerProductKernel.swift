// Caffe "InnerProduct" on oneDNN: forward, backward-data and backward-weights for one fixed shape.
import CDNNL

/// Inner product forward and backward on plain buffers: input (N, in), weights (out, in), bias (out),
/// output (N, out). A 4-D input blob is passed flattened, (N, C*H*W), exactly as Caffe does. The weights
/// take the layout oneDNN prefers (reordered on every call unless `weightsChanged: false`). Outputs are
/// overwritten.
public final class InnerProductKernel: WeightedKernel, InnerProductComputing {
    /// The shape this kernel was made for.
    public let geometry: InnerProductGeometry

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
        super.init(
            plain: PlainLayouts(input: src, weights: Self.weightsDesc(g), output: dst, bias: bias), hasBias: g.hasBias,
            forward: Primitive(opDesc: &desc, what: "inner product forward \(g)"),
            dataBackward: { hint in
                var desc = dnnl_inner_product_desc_t()
                var diffSrc = Self.inputDesc(g)
                var w = MemoryDesc.f32([g.outputs, g.inputs], dnnl_format_tag_any)
                var diffDst = Self.outputDesc(g)
                DNNL.check(dnnl_inner_product_backward_data_desc_init(&desc, &diffSrc, &w, &diffDst),
                           "inner_product_backward_data_desc_init \(g)")
                return Primitive(opDesc: &desc, hint: hint, what: "inner product backward data \(g)")
            },
            weightsBackward: { hint in
                var desc = dnnl_inner_product_desc_t()
                var src = Self.inputDesc(g)
                var diffW = MemoryDesc.f32([g.outputs, g.inputs], dnnl_format_tag_any)
                var diffB = MemoryDesc.f32([g.outputs], dnnl_a)
                var diffDst = Self.outputDesc(g)
                let status = withUnsafeMutablePointer(to: &diffB) { biasPointer in
                    dnnl_inner_product_backward_weights_desc_init(&desc, &src, &diffW, g.hasBias ? biasPointer : nil, &diffDst)
                }
                DNNL.check(status, "inner_product_backward_weights_desc_init \(g)")
                return Primitive(opDesc: &desc, hint: hint, what: "inner product backward weights \(g)")
            })
    }

    static func inputDesc(_ g: InnerProductGeometry) -> MemoryDesc { .f32([g.batch, g.inputs], dnnl_nc) }
    static func outputDesc(_ g: InnerProductGeometry) -> MemoryDesc { .f32([g.batch, g.outputs], dnnl_nc) }
    static func weightsDesc(_ g: InnerProductGeometry) -> MemoryDesc { .f32([g.outputs, g.inputs], dnnl_oi) }
}
