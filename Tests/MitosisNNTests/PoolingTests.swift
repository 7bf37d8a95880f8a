import Testing
@testable import MitosisNN

struct PoolCase: CustomTestStringConvertible, Sendable {
    var method: PoolingDefinition.Method, kernel: Int, stride: Int, pad: Int, dilation: Int = 1, height: Int = 7, width: Int = 6
    var testDescription: String { "\(method.rawValue) \(height)x\(width) k\(kernel) s\(stride) p\(pad) d\(dilation)" }

    var parameters: PoolingDefinition {
        var p = PoolingDefinition()
        p.method = method
        p.kernelH = kernel; p.kernelW = kernel; p.strideH = stride; p.strideW = stride
        p.padH = pad; p.padW = pad; p.dilationH = dilation; p.dilationW = dilation
        return p
    }

    var definition: LayerDefinition { layerDefinition("Pooling") { $0.pooling = parameters } }
}

let poolCases: [PoolCase] = [PoolingDefinition.Method.max, .average].flatMap { m in
    [
        PoolCase(method: m, kernel: 3, stride: 2, pad: 0),
        PoolCase(method: m, kernel: 3, stride: 2, pad: 1),
        PoolCase(method: m, kernel: 2, stride: 2, pad: 1, height: 5, width: 5),
        PoolCase(method: m, kernel: 3, stride: 3, pad: 2, height: 6, width: 8),
        PoolCase(method: m, kernel: 3, stride: 1, pad: 0, dilation: 2),
        PoolCase(method: m, kernel: 2, stride: 1, pad: 1, dilation: 2, height: 5, width: 4),
    ]
}

@Suite struct PoolingTests {
    @Test(arguments: poolCases) func outputShapeFollowsCaffe(_ c: PoolCase) throws {
        let h = try LayerHarness(c.definition, inputs: [Tensor(shape: [2, 3, c.height, c.width])])
        let oh = Reference.pooledSize(c.height, kernel: c.kernel, stride: c.stride, pad: c.pad, dilation: c.dilation)
        let ow = Reference.pooledSize(c.width, kernel: c.kernel, stride: c.stride, pad: c.pad, dilation: c.dilation)
        #expect(h.tops[0].shape == [2, 3, oh, ow])
    }

    @Test func caffeCeilModeSizes() {
        // The tutorial: 32 -> 16 -> 8 -> 4 with kernel 3 stride 2 (ceil mode; floor would give 15, 7, 3).
        #expect(PoolingGeometry.outSize(32, 3, 2, 0, 1) == 16)
        #expect(PoolingGeometry.outSize(16, 3, 2, 0, 1) == 8)
        #expect(PoolingGeometry.outSize(8, 3, 2, 0, 1) == 4)
        // ceil((6 + 4 - 3) / 3) + 1 = 4, but the 4th window would start at 9 - 2 = 7 >= 6 + 2 - ... -> 3.
        #expect(PoolingGeometry.outSize(6, 3, 3, 2, 1) == 3)
        #expect(PoolingGeometry.outSize(4, 2, 2, 1, 1) == 3)
    }

    @Test(arguments: poolCases) func forwardAndBackwardMatchReference(_ c: PoolCase) throws {
        let x = distinctTensor([2, 2, c.height, c.width], seed: 5)
        let h = try LayerHarness(c.definition, inputs: [x])
        let y = h.forward()[0]
        let expected = Reference.pooling(x, c.parameters)
        #expect(y.shape == expected.shape)
        #expect(maxRelativeError(y.data, expected.data) < 1e-6)
        let dy = randomTensor(y.shape, seed: 6)
        let dx = h.backward(topGrads: [dy]).bottoms[0]
        #expect(maxRelativeError(dx.data, Reference.poolingBackward(x, outputGrad: dy, c.parameters).data) < 1e-6)
    }

    @Test(arguments: poolCases) func gradientCheck(_ c: PoolCase) throws {
        // Distinct values 0.1 apart, step 0.01: no max ties flip within the step.
        let h = try LayerHarness(c.definition, inputs: [distinctTensor([1, 2, c.height, c.width], seed: 7)])
        h.checkGradients(step: 1e-2)
    }

    @Test func maxKnownAnswer() throws {
        let c = PoolCase(method: .max, kernel: 3, stride: 2, pad: 0)
        let h = try LayerHarness(c.definition, inputs: [Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))])
        #expect(h.forward()[0] == Tensor(shape: [1, 1, 2, 2], data: [10, 11, 14, 15]))
    }

    @Test func averageDividesByWindowClippedToPaddedInput() throws {
        // 2x2 input, kernel 3, stride 2, pad 1: windows hold 9, 6, 6, 4 padded taps.
        let c = PoolCase(method: .average, kernel: 3, stride: 2, pad: 1)
        let h = try LayerHarness(c.definition, inputs: [Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])])
        let y = h.forward()[0]
        #expect(y.shape == [1, 1, 2, 2])
        #expect(maxRelativeError(y.data, [10.0 / 9, 6.0 / 6, 7.0 / 6, 4.0 / 4]) < 1e-6)
    }

    @Test func globalPooling() throws {
        var p = PoolingDefinition()
        p.method = .average
        p.global = true
        let h = try LayerHarness(layerDefinition("Pooling") { $0.pooling = p },
                                 inputs: [Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8])])
        #expect(h.forward()[0] == Tensor(shape: [1, 2, 1, 1], data: [2.5, 6.5]))
    }

    @Test func windowLargerThanInputThrows() {
        let c = PoolCase(method: .max, kernel: 3, stride: 1, pad: 0)
        #expect(throws: NNError.self) { try LayerHarness(c.definition, inputs: [Tensor(shape: [1, 1, 2, 2])]) }
    }
}
