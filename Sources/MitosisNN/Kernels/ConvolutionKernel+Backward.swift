// The backward primitives of ConvolutionKernel, built on first use with the forward primitive as hint.
import CDNNL

extension ConvolutionKernel {
    /// Backward-data: output gradient and weights -> input gradient.
    final class DataBackward {
        let primitive: Primitive
        let outputGradient: Edge
        let weights: Edge
        let inputGradient: Edge

        init(_ k: ConvolutionKernel) {
            let g = k.geometry
            var desc = dnnl_convolution_desc_t()
            var diffSrc = ConvolutionKernel.inputDesc(g, dnnl_format_tag_any)
            var w = ConvolutionKernel.weightsDesc(g, dnnl_format_tag_any)
            var diffDst = ConvolutionKernel.outputDesc(g, dnnl_format_tag_any)
            let c = Params(g)
            DNNL.check(dnnl_dilated_convolution_backward_data_desc_init(
                &desc, dnnl_convolution_direct, &diffSrc, &w, &diffDst, c.strides, c.dilates, c.padL, c.padR),
                "convolution_backward_data_desc_init \(g)")
            primitive = Primitive(opDesc: &desc, hint: k.forwardHint, what: "convolution backward data \(g)")
            outputGradient = Edge(plain: ConvolutionKernel.outputDesc(g, dnnl_nchw),
                                  primitive: primitive.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            weights = Edge(plain: ConvolutionKernel.weightsDesc(g, ConvolutionKernel.plainWeightsTag(g)),
                           primitive: primitive.memoryDesc(dnnl_query_weights_md), isInput: true)
            inputGradient = Edge(plain: ConvolutionKernel.inputDesc(g, dnnl_nchw),
                                 primitive: primitive.memoryDesc(dnnl_query_diff_src_md), isInput: false)
        }
    }

    /// Backward-weights: input and output gradient -> weights and bias gradients.
    final class WeightsBackward {
        let primitive: Primitive
        let input: Edge
        let outputGradient: Edge
        let weightsGradient: Edge
        let biasGradient: Edge?

        init(_ k: ConvolutionKernel) {
            let g = k.geometry
            var desc = dnnl_convolution_desc_t()
            var src = ConvolutionKernel.inputDesc(g, dnnl_format_tag_any)
            var diffW = ConvolutionKernel.weightsDesc(g, dnnl_format_tag_any)
            var diffB = MemoryDesc.f32([g.outChannels], dnnl_a)
            var diffDst = ConvolutionKernel.outputDesc(g, dnnl_format_tag_any)
            let c = Params(g)
            let status = withUnsafeMutablePointer(to: &diffB) { biasPointer in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &desc, dnnl_convolution_direct, &src, &diffW, g.hasBias ? biasPointer : nil, &diffDst,
                    c.strides, c.dilates, c.padL, c.padR)
            }
            DNNL.check(status, "convolution_backward_weights_desc_init \(g)")
            primitive = Primitive(opDesc: &desc, hint: k.forwardHint, what: "convolution backward weights \(g)")
            input = Edge(plain: ConvolutionKernel.inputDesc(g, dnnl_nchw),
                         primitive: primitive.memoryDesc(dnnl_query_src_md), isInput: true)
            outputGradient = Edge(plain: ConvolutionKernel.outputDesc(g, dnnl_nchw),
                                  primitive: primitive.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            weightsGradient = Edge(plain: ConvolutionKernel.weightsDesc(g, ConvolutionKernel.plainWeightsTag(g)),
                                   primitive: primitive.memoryDesc(dnnl_query_diff_weights_md), isInput: false)
            biasGradient = g.hasBias
                ? Edge(plain: diffB, primitive: primitive.memoryDesc(dnnl_query_diff_weights_md, index: 1), isInput: false)
                : nil
        }
    }
}
