import MitosisNN
import MitosisSupport

/// A deploy network reduced to the straight chain of layers that patch classification and the dense rewrite
/// need: convolutions, poolings and inner products, each with the ReLU that follows it, ending in two scores.
///
/// ReLU after a MAX pooling is moved in front of it (`relu(max(x)) == max(relu(x))`) and fused into the
/// convolution before, as the tutorial net has `conv1 -> pool1 (MAX) -> relu1`. A final `Softmax` is
/// implied (the maps apply it themselves); `Dropout` is the identity at test time.
struct ClassifierPlan {
    enum Step {
        case convolution(ConvolutionDefinition, weight: [Float], bias: [Float]?, inChannels: Int, relu: Bool)
        case pooling(PoolingDefinition, channels: Int)
        /// Inner product over an input of (channels, height, width), the previous step's output.
        case innerProduct(outputs: Int, weight: [Float], bias: [Float]?, channels: Int, height: Int, width: Int, relu: Bool)
    }

    var steps: [Step] = []
    /// Input patch side.
    var patchSize: Int

    /// - Throws: `PipelineError.invalidOption` naming the first layer the chain cannot express.
    init(_ model: ClassifierModel) throws {
        patchSize = model.patchSize
        var c = 3, h = patchSize, w = patchSize
        var flattened = false
        func unsupported(_ layer: LayerDefinition, _ why: String) -> PipelineError {
            .invalidOption("layer \(layer.name) (\(layer.type)): \(why). Probability maps support straight nets of "
                + "Convolution (stride 1, group 1), Pooling (no padding), ReLU, InnerProduct and a final Softmax")
        }
        for layer in model.definition.layers(in: .test) {
            let params = model.weights[layer.name] ?? []
            switch layer.type {
            case "Input", "Data", "Dropout", "Softmax", "Split":
                continue
            case "Convolution":
                guard let p = layer.convolution, !flattened else { throw unsupported(layer, "after an inner product") }
                guard p.strideH == 1, p.strideW == 1, p.group == 1, p.dilationH == 1, p.dilationW == 1 else {
                    throw unsupported(layer, "stride, group and dilation must be 1")
                }
                steps.append(.convolution(p, weight: params[0].data, bias: p.biasTerm ? params[1].data : nil, inChannels: c, relu: false))
                c = p.numOutput
                h = h + 2 * p.padH - p.kernelH + 1
                w = w + 2 * p.padW - p.kernelW + 1
            case "Pooling":
                guard var p = layer.pooling, !flattened else { throw unsupported(layer, "after an inner product") }
                if p.global { p.kernelH = h; p.kernelW = w; p.strideH = 1; p.strideW = 1; p.global = false }
                guard p.padH == 0, p.padW == 0 else { throw unsupported(layer, "pooling padding is not supported") }
                steps.append(.pooling(p, channels: c))
                let g = PoolingGeometry(method: p.method, batch: 1, channels: c, inHeight: h, inWidth: w, kernelH: p.kernelH,
                                        kernelW: p.kernelW, strideH: p.strideH, strideW: p.strideW)
                h = g.outHeight; w = g.outWidth
            case "InnerProduct":
                guard let p = layer.innerProduct else { throw unsupported(layer, "no parameters") }
                steps.append(.innerProduct(outputs: p.numOutput, weight: params[0].data, bias: p.biasTerm ? params[1].data : nil,
                                           channels: c, height: h, width: w, relu: false))
                c = p.numOutput; h = 1; w = 1
                flattened = true
            case "ReLU":
                guard layer.negativeSlope == 0 else { throw unsupported(layer, "leaky ReLU is not supported") }
                try fuseReLU(layer, unsupported)
            default:
                throw unsupported(layer, "layer type not supported here")
            }
        }
        guard c == 2, h == 1, w == 1 else {
            throw PipelineError.invalidOption("the network ends with \(c) x \(h) x \(w) values; a two-class classifier (not mitosis, mitosis) is needed")
        }
    }

    /// Marks the step a ReLU belongs to (through a MAX pooling if need be).
    private mutating func fuseReLU(_ layer: LayerDefinition, _ unsupported: (LayerDefinition, String) -> PipelineError) throws {
        var i = steps.count - 1
        if i >= 0, case let .pooling(p, _) = steps[i], p.method == .max { i -= 1 }
        guard i >= 0 else { throw unsupported(layer, "no convolution or inner product before it") }
        switch steps[i] {
        case let .convolution(p, weight, bias, inChannels, _):
            steps[i] = .convolution(p, weight: weight, bias: bias, inChannels: inChannels, relu: true)
        case let .innerProduct(outputs, weight, bias, channels, height, width, _):
            steps[i] = .innerProduct(outputs: outputs, weight: weight, bias: bias, channels: channels, height: height, width: width, relu: true)
        case .pooling:
            throw unsupported(layer, "a ReLU after an AVE pooling cannot be fused")
        }
    }

    /// oneDNN stages that evaluate `batch` patches, and the parameters of each parametric stage.
    func patchStages(batch: Int) -> (stages: [InferenceChain.Stage], parameters: [(stage: Int, weight: [Float], bias: [Float]?)]) {
        var stages: [InferenceChain.Stage] = [], parameters: [(Int, [Float], [Float]?)] = []
        var h = patchSize, w = patchSize
        for step in steps {
            switch step {
            case let .convolution(p, weight, bias, inChannels, relu):
                let g = ConvolutionGeometry(batch: batch, inChannels: inChannels, inHeight: h, inWidth: w, outChannels: p.numOutput,
                                            kernelH: p.kernelH, kernelW: p.kernelW, padH: p.padH, padW: p.padW, hasBias: bias != nil)
                parameters.append((stages.count, weight, bias))
                stages.append(.convolution(g, relu: relu))
                h = g.outHeight; w = g.outWidth
            case let .pooling(p, channels):
                let g = PoolingGeometry(method: p.method, batch: batch, channels: channels, inHeight: h, inWidth: w,
                                        kernelH: p.kernelH, kernelW: p.kernelW, strideH: p.strideH, strideW: p.strideW)
                stages.append(.pooling(g))
                h = g.outHeight; w = g.outWidth
            case let .innerProduct(outputs, weight, bias, channels, height, width, relu):
                let g = InnerProductGeometry(batch: batch, inputs: channels * height * width, outputs: outputs, hasBias: bias != nil)
                parameters.append((stages.count, weight, bias))
                stages.append(.innerProduct(g, relu: relu))
                h = 1; w = 1
            }
        }
        return (stages, parameters)
    }
}
