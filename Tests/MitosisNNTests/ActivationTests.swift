import Testing
@testable import MitosisNN

@Suite struct ReLUTests {
    @Test(arguments: [Float(0), 0.1]) func forwardBackwardAgainstReference(slope: Float) throws {
        let x = randomTensor([2, 3, 2, 2], seed: 13)
        let h = try LayerHarness(layerDefinition("ReLU") { $0.negativeSlope = slope }, inputs: [x])
        #expect(h.tops[0].shape == x.shape)
        #expect(h.forward()[0] == Reference.relu(x, negativeSlope: slope))
        let dy = randomTensor(x.shape, seed: 14)
        #expect(h.backward(topGrads: [dy]).bottoms[0] == Reference.reluBackward(x, outputGrad: dy, negativeSlope: slope))
    }

    @Test(arguments: [Float(0), 0.1]) func gradientCheckSkippingTheKink(slope: Float) throws {
        let h = try LayerHarness(layerDefinition("ReLU") { $0.negativeSlope = slope }, inputs: [randomTensor([2, 3, 3, 2], seed: 15)])
        h.checkGradients(step: 1e-3, skip: { abs($0) < 1e-2 })
    }

    @Test func knownAnswer() throws {
        let h = try LayerHarness(layerDefinition("ReLU") { $0.negativeSlope = 0.1 }, inputs: [Tensor(shape: [4], data: [-2, -0.5, 0, 3])])
        #expect(maxRelativeError(h.forward()[0].data, [-0.2, -0.05, 0, 3]) < 1e-7)
    }

    @Test func inPlace() throws {
        let layer = try LayerRegistry.make(layerDefinition("ReLU", tops: ["in"]), context: LayerContext())
        let blob = Blob(Tensor(shape: [4], data: [-1, 2, -3, 4]))
        try layer.reshape(bottoms: [blob], tops: [blob])
        layer.forward(bottoms: [blob], tops: [blob])
        #expect(blob.data == [0, 2, 0, 4])
        blob.diff = [1, 1, 1, 1]
        layer.backward(tops: [blob], propagateDown: [true], bottoms: [blob])
        #expect(blob.diff == [0, 1, 0, 1])
    }
}

@Suite struct DropoutTests {
    func harness(_ phase: Phase, ratio: Float = 0.5, input: Tensor) throws -> LayerHarness {
        try LayerHarness(layerDefinition("Dropout") { $0.dropoutRatio = ratio }, inputs: [input], phase: phase, seed: 3)
    }

    @Test func trainScalesKeptValuesByInverseKeepProbability() throws {
        let x = Tensor(shape: [1000], fill: 1)
        let h = try harness(.train, ratio: 0.25, input: x)
        let y = h.forward()[0]
        #expect(y.shape == x.shape)
        #expect(y.data.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
        let kept = Float(y.data.filter { $0 != 0 }.count) / 1000
        #expect(abs(kept - 0.75) < 0.05)
        let dx = h.backward(topGrads: [Tensor(shape: [1000], fill: 1)]).bottoms[0]
        #expect(dx.data == y.data)  // same mask, same scale
    }

    @Test func testPhaseIsIdentity() throws {
        let x = randomTensor([3, 4], seed: 16)
        let h = try harness(.test, input: x)
        #expect(h.forward()[0] == x)
        #expect(h.backward(topGrads: [x]).bottoms[0] == x)
    }

    @Test func sameSeedSameMask() throws {
        let x = Tensor(shape: [64], fill: 1)
        #expect(try harness(.train, input: x).forward() == harness(.train, input: x).forward())
    }

    @Test func gradientCheckWithReseededMask() throws {
        let source = RandomSource(seed: 9)
        let layer = try Dropout(definition: layerDefinition("Dropout"), context: LayerContext(phase: .train, random: source))
        let h = LayerHarnessWrapping(layer: layer, input: randomTensor([2, 5], seed: 17))
        h.checkGradients(beforeForward: { source.generator = SeededGenerator(seed: 9) })
    }
}

/// A harness around an already-built layer.
func LayerHarnessWrapping(layer: any Layer, input: Tensor) -> LayerHarness {
    LayerHarness(layer: layer, bottoms: [Blob(input)], tops: [Blob()])
}

extension LayerHarness {
    init(layer: any Layer, bottoms: [Blob], tops: [Blob]) {
        self.layer = layer
        self.bottoms = bottoms
        self.tops = tops
        try! layer.reshape(bottoms: bottoms, tops: tops)
    }
}
