// What the convolution and inner-product kernels share: a forward primitive and two backward primitives
// (built on first use, with the forward one as hint), each bound to the caller's plain buffers by edges.
import CDNNL

/// The plain (Caffe) layouts of a weighted layer's buffers.
struct PlainLayouts {
    var input: MemoryDesc, weights: MemoryDesc, output: MemoryDesc, bias: MemoryDesc
}

/// The base of `ConvolutionKernel` and `InnerProductKernel`: the forward, backward-data and
/// backward-weights primitives of one weighted layer of fixed shape, with the edges that reorder between
/// the caller's plain buffers and oneDNN's layouts. A kernel supplies the primitives (its operation's
/// descriptors); everything else, binding, execution and weight caching, happens here once for both.
/// Outputs are overwritten.
public class WeightedKernel {
    let plain: PlainLayouts
    let hasBias: Bool
    let forwardPrimitive: Primitive
    private let forwardInput: Edge, forwardWeights: Edge, forwardOutput: Edge
    private let biasMemory: Memory
    private let makeDataBackward: (Primitive) -> Primitive
    private let makeWeightsBackward: (Primitive) -> Primitive
    private lazy var dataBackward = DataBackward(makeDataBackward(forwardPrimitive), plain)
    private lazy var weightsBackward = WeightsBackward(makeWeightsBackward(forwardPrimitive), plain, hasBias: hasBias)
    private var builtBackward: [String: String] = [:]

    /// - Parameters: forward: the forward primitive; dataBackward, weightsBackward: build the backward
    ///   primitives from the forward one (the hint), when first needed.
    init(plain: PlainLayouts, hasBias: Bool, forward: Primitive, dataBackward: @escaping (Primitive) -> Primitive,
         weightsBackward: @escaping (Primitive) -> Primitive) {
        self.plain = plain
        self.hasBias = hasBias
        forwardPrimitive = forward
        forwardInput = Edge(plain: plain.input, primitive: forward.memoryDesc(dnnl_query_src_md), isInput: true)
        forwardWeights = Edge(plain: plain.weights, primitive: forward.memoryDesc(dnnl_query_weights_md), isInput: true)
        forwardOutput = Edge(plain: plain.output, primitive: forward.memoryDesc(dnnl_query_dst_md), isInput: false)
        biasMemory = Memory(plain.bias, owning: false)
        makeDataBackward = dataBackward
        makeWeightsBackward = weightsBackward
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

    /// The layer's output (`conv(input, weight) + bias`, `input * weight^T + bias`); reorders the weights.
    public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        forward(input: input, weight: weight, bias: bias, output: output, weightsChanged: true)
    }

    /// The layer's output; `weightsChanged: false` reuses the weights reordered by the previous forward call
    /// (pass `true` after every update of `weight`).
    public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, weightsChanged: Bool) {
        DNNL.require(hasBias == (bias != nil), "bias must be given exactly when the geometry has one")
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
        backwardData(outputGrad: outputGrad, weight: weight, inputGrad: inputGrad, weightsChanged: weightsChanged, reordered: nil)
    }

    /// `outputGradient`, when given, is `outputGrad` already in the primitive's layout (see `backward`).
    func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>, inputGrad: UnsafeMutablePointer<Float>,
                      weightsChanged: Bool, reordered outputGradient: dnnl_memory_t?) {
        let b = dataBackward
        builtBackward["backwardData"] = b.primitive.implementation
        b.primitive.execute([
            (DNNL_ARG_DIFF_DST, outputGradient ?? b.outputGradient.input(outputGrad)),
            (DNNL_ARG_WEIGHTS, b.weights.input(weight, refresh: weightsChanged)),
            (DNNL_ARG_DIFF_SRC, b.inputGradient.output(inputGrad)),
        ])
        b.inputGradient.finish(inputGrad)
    }

    /// `weightGrad` (and `biasGrad`) = d loss / d weight (bias), summed over the batch; overwritten.
    public func backwardWeights(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                                weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?) {
        weightGradients(input: input, outputGrad: outputGrad, weightGrad: weightGrad, biasGrad: biasGrad)
    }

    /// `backwardWeights`, returning the memory the primitive read `outputGrad` from.
    @discardableResult
    func weightGradients(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                         weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?) -> dnnl_memory_t {
        DNNL.require(hasBias == (biasGrad != nil), "bias gradient must be given exactly when the geometry has a bias")
        let b = weightsBackward
        builtBackward["backwardWeights"] = b.primitive.implementation
        let dy = b.outputGradient.input(outputGrad)
        var args = [(DNNL_ARG_SRC, b.input.input(input)), (DNNL_ARG_DIFF_DST, dy),
                    (DNNL_ARG_DIFF_WEIGHTS, b.weightsGradient.output(weightGrad))]
        if let biasGrad, let e = b.biasGradient { args.append((DNNL_ARG_DIFF_BIAS, e.output(biasGrad))) }
        b.primitive.execute(args)
        b.weightsGradient.finish(weightGrad)
        if let biasGrad { b.biasGradient?.finish(biasGrad) }
        return dy
    }

    /// Backward-weights, then (when `inputGrad` is given) backward-data, reordering `outputGrad` into
    /// oneDNN's layout once for both when the two primitives chose the same layout.
    ///
    /// - Parameter weightsChanged: `false` reuses the weights reordered by the previous backward-data call.
    public func backward(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         inputGrad: UnsafeMutablePointer<Float>?, weightGrad: UnsafeMutablePointer<Float>,
                         biasGrad: UnsafeMutablePointer<Float>?, weightsChanged: Bool = true) {
        let dy = weightGradients(input: input, outputGrad: outputGrad, weightGrad: weightGrad, biasGrad: biasGrad)
        guard let inputGrad else { return }
        let shared = dataBackward.outputGradient.primitiveDesc.sameLayout(as: weightsBackward.outputGradient.primitiveDesc)
        backwardData(outputGrad: outputGrad, weight: weight, inputGrad: inputGrad, weightsChanged: weightsChanged,
                     reordered: shared ? dy : nil)
    }

    /// Backward-data's primitive and edges: output gradient and weights -> input gradient.
    private struct DataBackward {
        let primitive: Primitive
        let outputGradient: Edge, weights: Edge, inputGradient: Edge
        init(_ p: Primitive, _ plain: PlainLayouts) {
            primitive = p
            outputGradient = Edge(plain: plain.output, primitive: p.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            weights = Edge(plain: plain.weights, primitive: p.memoryDesc(dnnl_query_weights_md), isInput: true)
            inputGradient = Edge(plain: plain.input, primitive: p.memoryDesc(dnnl_query_diff_src_md), isInput: false)
        }
    }

    /// Backward-weights' primitive and edges: input and output gradient -> weights and bias gradients.
    private struct WeightsBackward {
        let primitive: Primitive
        let input: Edge, outputGradient: Edge, weightsGradient: Edge
        let biasGradient: Edge?
        init(_ p: Primitive, _ plain: PlainLayouts, hasBias: Bool) {
            primitive = p
            input = Edge(plain: plain.input, primitive: p.memoryDesc(dnnl_query_src_md), isInput: true)
            outputGradient = Edge(plain: plain.output, primitive: p.memoryDesc(dnnl_query_diff_dst_md), isInput: true)
            weightsGradient = Edge(plain: plain.weights, primitive: p.memoryDesc(dnnl_query_diff_weights_md), isInput: false)
            biasGradient = hasBias
                ? Edge(plain: plain.bias, primitive: p.memoryDesc(dnnl_query_diff_weights_md, index: 1), isInput: false)
                : nil
        }
    }
}
