// The tutorial's network (BASE-alexnet_traing_32w_db.prototxt) as a list of kernel calls on fixed buffers.
import MitosisNN

/// conv1 32x5x5 p2 -> max pool 3/2 -> ReLU -> conv2 32x5x5 p2 -> ReLU -> ave pool 3/2 -> conv3 64x5x5 p2
/// -> ReLU -> ave pool 3/2 -> ip1 64 -> ip2 2, with random weights and inputs (timing only).
final class TutorialNet {
    private(set) var steps: [Step] = []
    private let batch: Int
    private let inference: Bool

    init(batch: Int, inference: Bool) {
        self.batch = batch
        self.inference = inference
        var shape = (channels: 3, size: 32)
        var data = buffer(batch * 3 * 32 * 32, seed: 1)
        var diff = buffer(batch * 3 * 32 * 32, seed: 2)
        var seed: UInt64 = 3
        func next() -> UInt64 { seed += 1; return seed }

        func conv(_ name: String, _ out: Int, needsInputGradient: Bool) {
            let g = ConvolutionGeometry(batch: batch, inChannels: shape.channels, inHeight: shape.size, inWidth: shape.size,
                                        outChannels: out, kernelH: 5, kernelW: 5, padH: 2, padW: 2)
            let k = ConvolutionKernel(g)
            let w = buffer(g.weightShape.reduce(1, *), seed: next()), b = buffer(out, seed: next())
            let dw = buffer(g.weightShape.reduce(1, *)), db = buffer(out)
            let x = data, dx = diff, y = buffer(g.outputShape.reduce(1, *)), dy = buffer(g.outputShape.reduce(1, *), seed: next())
            let flops = 2 * Double(g.outputShape.reduce(1, *)) * Double(shape.channels * 25)
            if !inference { k.prepareBackward() }
            let names = k.implementations
            steps.append(Step(
                name: name, forwardFLOPs: flops, backwardFLOPs: inference ? 0 : flops * (needsInputGradient ? 2 : 1),
                implementation: ["forward", "backwardData", "backwardWeights"].compactMap { names[$0] }.joined(separator: " / "),
                forward: { k.forward(input: x, weight: w, bias: b, output: y, weightsChanged: !self.inference) },
                backward: {
                    k.backward(input: x, outputGrad: dy, weight: w, inputGrad: needsInputGradient ? dx : nil,
                               weightGrad: dw, biasGrad: db)
                }))
            data = y; diff = dy; shape = (out, g.outHeight)
        }

        func pool(_ name: String, _ method: PoolingDefinition.Method) {
            let g = PoolingGeometry(method: method, batch: batch, channels: shape.channels, inHeight: shape.size,
                                    inWidth: shape.size, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2)
            let k = PoolingKernel(g, inference: inference)
            let x = data, dx = diff, y = buffer(g.outputShape.reduce(1, *)), dy = buffer(g.outputShape.reduce(1, *), seed: next())
            if !inference { k.prepareBackward() }
            let names = k.implementations
            steps.append(Step(
                name: name, forwardFLOPs: 0, backwardFLOPs: 0,
                implementation: ["forward", "backward"].compactMap { names[$0] }.joined(separator: " / "),
                forward: { k.forward(input: x, output: y) },
                backward: { k.backward(input: x, outputGrad: dy, inputGrad: dx) }))
            data = y; diff = dy; shape.size = g.outHeight
        }

        func relu(_ name: String) {
            let n = batch * shape.channels * shape.size * shape.size, x = data, dx = diff
            steps.append(Step(
                name: name, forwardFLOPs: 0, backwardFLOPs: 0, implementation: "swift loop, in place",
                forward: { for i in 0..<n { x[i] = max(x[i], 0) } },
                backward: { for i in 0..<n where x[i] <= 0 { dx[i] = 0 } }))
        }

        func innerProduct(_ name: String, _ out: Int) {
            let inputs = shape.channels * shape.size * shape.size
            let g = InnerProductGeometry(batch: batch, inputs: inputs, outputs: out)
            let k = InnerProductKernel(g)
            let w = buffer(out * inputs, seed: next()), b = buffer(out, seed: next())
            let dw = buffer(out * inputs), db = buffer(out)
            let x = data, dx = diff, y = buffer(batch * out), dy = buffer(batch * out, seed: next())
            if !inference { k.prepareBackward() }
            let names = k.implementations
            let flops = 2 * Double(batch * inputs * out)
            steps.append(Step(
                name: name, forwardFLOPs: flops, backwardFLOPs: inference ? 0 : 2 * flops,
                implementation: ["forward", "backwardData", "backwardWeights"].compactMap { names[$0] }.joined(separator: " / "),
                forward: { k.forward(input: x, weight: w, bias: b, output: y, weightsChanged: !self.inference) },
                backward: {
                    k.backwardData(outputGrad: dy, weight: w, inputGrad: dx, weightsChanged: false)
                    k.backwardWeights(input: x, outputGrad: dy, weightGrad: dw, biasGrad: db)
                }))
            data = y; diff = dy; shape = (out, 1)
        }

        conv("conv1", 32, needsInputGradient: false)
        pool("pool1", .max)
        relu("relu1")
        conv("conv2", 32, needsInputGradient: true)
        relu("relu2")
        pool("pool2", .average)
        conv("conv3", 64, needsInputGradient: true)
        relu("relu3")
        pool("pool3", .average)
        innerProduct("ip1", 64)
        innerProduct("ip2", 2)
    }
}
