// Caffe "Convolution" on oneDNN: forward, backward-data and backward-weights for one fixed shape.
import CDNNL

/// Convolution forward and backward on plain NCHW buffers, with oneDNN's own layouts inside.
///
/// Buffers: input (N, in, H, W); weights (out, in / group, kh, kw); bias (out); output
/// (N, out, outHeight, outWidth). Dilation is Caffe's (1 = dense); oneDNN's 0-based convention is
/// applied here. Backward primitives are created on first use, so an inference-only kernel never builds
/// them. Outputs are overwritten.
public final class ConvolutionKernel: WeightedKernel, ConvolutionComputing {
    /// The shape this kernel was made for.
    public let geometry: ConvolutionGeometry

    /// Creates the forward primitive for `geometry` (checked; an inconsistent one stops the program).
    public init(_ geometry: ConvolutionGeometry) {
        DNNL.require(Self.isValid(geometry), "invalid convolution geometry \(geometry)")
        self.geometry = geometry
        let g = geometry, c = Params(g)
        var desc = dnnl_convolution_desc_t()
        var anyInput = Self.inputDesc(g, dnnl_format_tag_any)
        var anyWeights = Self.weightsDesc(g, dnnl_format_tag_any)
        var bias = MemoryDesc.f32([g.outChannels], dnnl_a)
        var anyOutput = Self.outputDesc(g, dnnl_format_tag_any)
        let status = withUnsafeMutablePointer(to: &bias) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &desc, dnnl_forward_training, dnnl_convolution_direct, &anyInput, &anyWeights,
                g.hasBias ? biasPointer : nil, &anyOutput, c.strides, c.dilates, c.padL, c.padR)
        }
        DNNL.check(status, "convolution_forward_desc_init \(g)")
        let plain = PlainLayouts(input: Self.inputDesc(g, dnnl_nchw), weights: Self.weightsDesc(g, Self.plainWeightsTag(g)),
                                 output: Self.outputDesc(g, dnnl_nchw), bias: bias)
        super.init(
            plain: plain, hasBias: g.hasBias, forward: Primitive(opDesc: &desc, what: "convolution forward \(g)"),
            dataBackward: { hint in
                var desc = dnnl_convolution_desc_t()
                var diffSrc = Self.inputDesc(g, dnnl_format_tag_any)
                var w = Self.weightsDesc(g, dnnl_format_tag_any)
                var diffDst = Self.outputDesc(g, dnnl_format_tag_any)
                DNNL.check(dnnl_dilated_convolution_backward_data_desc_init(
                    &desc, dnnl_convolution_direct, &diffSrc, &w, &diffDst, c.strides, c.dilates, c.padL, c.padR),
                    "convolution_backward_data_desc_init \(g)")
                return Primitive(opDesc: &desc, hint: hint, what: "convolution backward data \(g)")
            },
            weightsBackward: { hint in
                var desc = dnnl_convolution_desc_t()
                var src = Self.inputDesc(g, dnnl_format_tag_any)
                var diffW = Self.weightsDesc(g, dnnl_format_tag_any)
                var diffB = MemoryDesc.f32([g.outChannels], dnnl_a)
                var diffDst = Self.outputDesc(g, dnnl_format_tag_any)
                let status = withUnsafeMutablePointer(to: &diffB) { biasPointer in
                    dnnl_dilated_convolution_backward_weights_desc_init(
                        &desc, dnnl_convolution_direct, &src, &diffW, g.hasBias ? biasPointer : nil, &diffDst,
                        c.strides, c.dilates, c.padL, c.padR)
                }
                DNNL.check(status, "convolution_backward_weights_desc_init \(g)")
                return Primitive(opDesc: &desc, hint: hint, what: "convolution backward weights \(g)")
            })
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
}
