// InferenceChain (blocked layouts, fused ReLU) against the per-layer kernels on the tutorial net.
import MitosisNN
import Testing

@Suite("oneDNN inference chain")
struct KernelInferenceChainTests {
    /// The tutorial net for `batch` images: conv1+relu, max pool, conv2+relu, ave pool, conv3+relu, ave pool, ip1, ip2.
    static func tutorialStages(batch: Int) -> [InferenceChain.Stage] {
        func conv(_ i: Int, _ o: Int, _ s: Int) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: batch, inChannels: i, inHeight: s, inWidth: s, outChannels: o,
                                kernelH: 5, kernelW: 5, padH: 2, padW: 2)
        }
        func pool(_ m: PoolingDefinition.Method, _ c: Int, _ s: Int) -> PoolingGeometry {
            PoolingGeometry(method: m, batch: batch, channels: c, inHeight: s, inWidth: s, kernelH: 3, kernelW: 3,
                            strideH: 2, strideW: 2)
        }
        return [
            .convolution(conv(3, 32, 32), relu: true), .pooling(pool(.max, 32, 32)),
            .convolution(conv(32, 32, 16), relu: true), .pooling(pool(.average, 32, 16)),
            .convolution(conv(32, 64, 8), relu: true), .pooling(pool(.average, 64, 8)),
            .innerProduct(InnerProductGeometry(batch: batch, inputs: 1024, outputs: 64), relu: false),
            .innerProduct(InnerProductGeometry(batch: batch, inputs: 64, outputs: 2), relu: false),
        ]
    }

    /// The same net, layer by layer with the plain-buffer kernels and a separate ReLU pass.
    static func layerByLayer(_ stages: [InferenceChain.Stage], _ params: [Int: ([Float], [Float])], _ x: [Float]) -> [Float] {
        var data = x
        for (i, stage) in stages.enumerated() {
            switch stage {
            case let .convolution(g, relu):
                var y = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
                let (w, b) = params[i]!
                b.withUnsafeBufferPointer { pb in
                    withBuffers(data, w, &y) { ConvolutionKernel(g).forward(input: $0, weight: $1, bias: pb.baseAddress!, output: $2) }
                }
                data = relu ? y.map { max($0, 0) } : y
            case let .pooling(g):
                var y = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
                withBuffers(data, data, &y) { x, _, out in PoolingKernel(g).forward(input: x, output: out) }
                data = y
            case let .innerProduct(g, relu):
                var y = [Float](repeating: 0, count: g.batch * g.outputs)
                let (w, b) = params[i]!
                b.withUnsafeBufferPointer { pb in
                    withBuffers(data, w, &y) { InnerProductKernel(g).forward(input: $0, weight: $1, bias: pb.baseAddress!, output: $2) }
                }
                data = relu ? y.map { max($0, 0) } : y
            }
        }
        return data
    }

    @Test func matchesTheLayerByLayerKernels() {
        let count = 6, chainBatch = 4
        let reference = Self.tutorialStages(batch: count), chain = InferenceChain(Self.tutorialStages(batch: chainBatch))
        #expect(chain.inputCount == 3 * 32 * 32 && chain.outputCount == 2)
        var params: [Int: ([Float], [Float])] = [:]
        for (i, stage) in reference.enumerated() {
            let shape: (w: Int, b: Int)?
            switch stage {
            case let .convolution(g, _): shape = (g.weightShape.reduce(1, *), g.outChannels)
            case let .innerProduct(g, _): shape = (g.outputs * g.inputs, g.outputs)
            case .pooling: shape = nil
            }
            guard let shape else { continue }
            // Small weights keep activations O(1) through three layers.
            let w = kernelTestRandom(shape.w, seed: UInt64(30 + i)).map { $0 * 0.2 }
            let b = kernelTestRandom(shape.b, seed: UInt64(50 + i))
            params[i] = (w, b)
            w.withUnsafeBufferPointer { pw in
                b.withUnsafeBufferPointer { chain.setParameters(stage: i, weight: pw.baseAddress!, bias: $0.baseAddress!) }
            }
        }
        let x = kernelTestRandom(count * 3 * 32 * 32, seed: 60)
        var y = [Float](repeating: .nan, count: count * 2)
        withBuffers(x, x, &y) { px, _, py in chain.forward(input: px, count: count, output: py) }
        expectClose(y, Self.layerByLayer(reference, params, x), "chain vs kernels")
        #expect(chain.implementations.count == 8)
        expectNoReference(Dictionary(uniqueKeysWithValues: chain.implementations.enumerated().map { ("stage \($0)", $1) }),
                          "inference chain")
    }
}
