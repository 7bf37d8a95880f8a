import Testing
@testable import MitosisNN

@Suite struct InnerProductTests {
    func definition(outputs: Int, bias: Bool = true) -> LayerDefinition {
        var p = InnerProductDefinition()
        p.numOutput = outputs
        p.biasTerm = bias
        p.weightFiller = FillerDefinition(type: "xavier")
        p.biasFiller = FillerDefinition(type: "gaussian")
        return layerDefinition("InnerProduct") { $0.innerProduct = p }
    }

    @Test(arguments: [([2, 3, 2, 2], 4, true), ([3, 5], 2, false), ([1, 2, 3, 1], 3, true)])
    func shapeForwardBackwardAgainstReference(shape: [Int], outputs: Int, bias: Bool) throws {
        let x = randomTensor(shape, seed: 8)
        let h = try LayerHarness(definition(outputs: outputs, bias: bias), inputs: [x])
        let k = shape.dropFirst().reduce(1, *)
        #expect(h.tops[0].shape == [shape[0], outputs])
        #expect(h.layer.blobs.map(\.shape) == ([[outputs, k]] + (bias ? [[outputs]] : [])))
        let w = h.layer.blobs[0].value
        let y = h.forward()[0]
        #expect(maxRelativeError(y.data, Reference.innerProduct(x, weight: w, bias: bias ? h.layer.blobs[1].value : nil).data) < 1e-5)
        let dy = randomTensor(y.shape, seed: 9)
        let grads = h.backward(topGrads: [dy])
        let ref = Reference.innerProductBackward(x, weight: w, outputGrad: dy)
        #expect(maxRelativeError(grads.bottoms[0].data, ref.input.data) < 1e-5)
        #expect(maxRelativeError(grads.params[0].data, ref.weight.data) < 1e-5)
        if bias { #expect(maxRelativeError(grads.params[1].data, ref.bias.data) < 1e-5) }
    }

    @Test(arguments: [true, false]) func gradientCheck(bias: Bool) throws {
        let h = try LayerHarness(definition(outputs: 3, bias: bias), inputs: [randomTensor([2, 2, 2, 1], seed: 10)])
        h.checkGradients()
    }

    @Test func knownAnswer() throws {
        let h = try LayerHarness(definition(outputs: 2), inputs: [Tensor(shape: [1, 3], data: [1, 2, 3])])
        h.layer.blobs[0].value = Tensor(shape: [2, 3], data: [1, 0, -1, 2, 1, 0])
        h.layer.blobs[1].value = Tensor(shape: [2], data: [0.5, -1])
        #expect(h.forward()[0] == Tensor(shape: [1, 2], data: [-1.5, 3]))
    }

    @Test func paramsAreAccumulatedNotOverwritten() throws {
        let h = try LayerHarness(definition(outputs: 2), inputs: [randomTensor([2, 3], seed: 11)])
        h.forward()
        let dy = randomTensor([2, 2], seed: 12)
        let once = h.backward(topGrads: [dy]).params[0]
        h.layer.backward(tops: h.tops, propagateDown: [true], bottoms: h.bottoms)
        #expect(maxRelativeError(h.layer.blobs[0].diff, once.data.map { 2 * $0 }) < 1e-6)
    }
}
