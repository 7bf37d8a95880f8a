import Testing
@testable import MitosisNN

/// kernel, stride, pad, dilation, group, bias.
struct ConvCase: CustomTestStringConvertible, Sendable {
    var kernel: Int, stride: Int, pad: Int, dilation: Int, group: Int, bias: Bool
    var testDescription: String { "k\(kernel) s\(stride) p\(pad) d\(dilation) g\(group) bias \(bias)" }

    var parameters: ConvolutionDefinition {
        var p = ConvolutionDefinition()
        p.numOutput = 2 * group
        p.kernelH = kernel; p.kernelW = kernel
        p.strideH = stride; p.strideW = stride
        p.padH = pad; p.padW = pad
        p.dilationH = dilation; p.dilationW = dilation
        p.group = group
        p.biasTerm = bias
        p.weightFiller = FillerDefinition(type: "gaussian")
        p.biasFiller = FillerDefinition(type: "uniform")
        return p
    }

    var definition: LayerDefinition { layerDefinition("Convolution") { $0.convolution = parameters } }
    var inputShape: [Int] { [2, 2 * group, 6, 5] }
}

let convCases: [ConvCase] = [
    ConvCase(kernel: 1, stride: 1, pad: 0, dilation: 1, group: 1, bias: true),
    ConvCase(kernel: 3, stride: 1, pad: 1, dilation: 1, group: 1, bias: true),
    ConvCase(kernel: 3, stride: 2, pad: 0, dilation: 1, group: 1, bias: false),
    ConvCase(kernel: 2, stride: 2, pad: 1, dilation: 1, group: 2, bias: true),
    ConvCase(kernel: 3, stride: 1, pad: 2, dilation: 2, group: 1, bias: true),
    ConvCase(kernel: 5, stride: 1, pad: 2, dilation: 1, group: 1, bias: true),
    ConvCase(kernel: 2, stride: 3, pad: 1, dilation: 2, group: 2, bias: false),
]

@Suite struct ConvolutionTests {
    @Test(arguments: convCases) func outputShape(_ c: ConvCase) throws {
        let h = try LayerHarness(c.definition, inputs: [randomTensor(c.inputShape, seed: 1)])
        let extent = c.dilation * (c.kernel - 1) + 1
        let oh = (6 + 2 * c.pad - extent) / c.stride + 1, ow = (5 + 2 * c.pad - extent) / c.stride + 1
        #expect(h.tops[0].shape == [2, 2 * c.group, oh, ow])
        #expect(h.layer.blobs.map(\.shape) == ([[2 * c.group, 2, c.kernel, c.kernel]] + (c.bias ? [[2 * c.group]] : [])))
    }

    @Test(arguments: convCases) func forwardAndBackwardMatchReference(_ c: ConvCase) throws {
        let x = randomTensor(c.inputShape, seed: 2)
        let h = try LayerHarness(c.definition, inputs: [x])
        let w = h.layer.blobs[0].value, b = c.bias ? h.layer.blobs[1].value : nil
        let y = h.forward()[0]
        let expected = Reference.convolution(x, weight: w, bias: b, c.parameters)
        #expect(y.shape == expected.shape)
        #expect(maxRelativeError(y.data, expected.data) < 1e-5)

        let dy = randomTensor(y.shape, seed: 3)
        let grads = h.backward(topGrads: [dy])
        let ref = Reference.convolutionBackward(x, weight: w, outputGrad: dy, c.parameters)
        #expect(maxRelativeError(grads.bottoms[0].data, ref.input.data) < 1e-5)
        #expect(maxRelativeError(grads.params[0].data, ref.weight.data) < 1e-5)
        if c.bias { #expect(maxRelativeError(grads.params[1].data, ref.bias.data) < 1e-5) }
    }

    @Test(arguments: convCases) func gradientCheck(_ c: ConvCase) throws {
        var small = c.definition
        small.convolution!.numOutput = c.group  // keep the exhaustive check tiny
        let h = try LayerHarness(small, inputs: [randomTensor([1, 2 * c.group, 5, 4], seed: 4)])
        h.checkGradients()
    }

    @Test func knownAnswer() throws {
        var p = ConvolutionDefinition()
        p.numOutput = 1; p.kernelH = 2; p.kernelW = 2
        p.weightFiller = FillerDefinition(type: "constant"); p.weightFiller.value = 1
        p.biasFiller.value = 1
        let d = layerDefinition("Convolution") { $0.convolution = p }
        let h = try LayerHarness(d, inputs: [Tensor(shape: [1, 1, 3, 3], data: (1...9).map(Float.init))])
        #expect(h.forward()[0] == Tensor(shape: [1, 1, 2, 2], data: [13, 17, 25, 29]))
    }

    @Test func shapeErrorsNameTheLayer() throws {
        var p = ConvolutionDefinition()
        p.numOutput = 2; p.kernelH = 5; p.kernelW = 5; p.group = 2
        let d = layerDefinition("Convolution", name: "conv9") { $0.convolution = p }
        #expect(throws: NNError.self) { try LayerHarness(d, inputs: [Tensor(shape: [1, 3, 8, 8])]) }
        do {
            _ = try LayerHarness(d, inputs: [Tensor(shape: [1, 2, 3, 3])])
            Issue.record("expected a shape error")
        } catch let error as NNError {
            guard case .shapeMismatch(let layer, _, _, _) = error else { Issue.record("\(error)"); return }
            #expect(layer == "conv9")
            #expect("\(error)".contains("HINT"))
        }
    }
}
