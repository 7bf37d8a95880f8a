import Testing
@testable import MitosisNN

@Suite struct SoftmaxTests {
    @Test(arguments: [[2, 3], [2, 3, 2, 2]]) func forwardAgainstReferenceAndGradient(shape: [Int]) throws {
        let x = randomTensor(shape, seed: 18, low: -3, high: 3)
        let h = try LayerHarness(layerDefinition("Softmax"), inputs: [x])
        #expect(h.tops[0].shape == shape)
        #expect(maxRelativeError(h.forward()[0].data, Reference.softmax(x).data) < 1e-6)
        h.checkGradients(step: 1e-3)
    }

    @Test func knownAnswer() throws {
        let h = try LayerHarness(layerDefinition("Softmax"), inputs: [Tensor(shape: [1, 2], data: [0, _logf(3)])])
        #expect(maxRelativeError(h.forward()[0].data, [0.25, 0.75]) < 1e-6)
    }
}

@Suite struct SoftmaxWithLossTests {
    func harness(_ scores: Tensor, _ labels: Tensor) throws -> LayerHarness {
        try LayerHarness(layerDefinition("SoftmaxWithLoss", bottoms: ["s", "l"], tops: ["loss"]), inputs: [scores, labels])
    }

    @Test func knownAnswer() throws {
        let h = try harness(Tensor(shape: [1, 2], data: [0, _logf(3)]), Tensor(shape: [1], data: [1]))
        #expect(h.tops[0].shape == [])
        #expect(abs(h.forward()[0].data[0] - -_logf(0.75)) < 1e-6)
        let grads = h.backward(topGrads: [Tensor(shape: [], data: [1])]).bottoms[0]
        #expect(maxRelativeError(grads.data, [0.25, -0.25]) < 1e-6)
        #expect(h.layer.defaultLossWeight(top: 0) == 1)
        #expect(!h.layer.canPropagateDown(bottom: 1))
    }

    @Test(arguments: [[3, 4], [2, 3, 2, 2]]) func referenceAndGradient(shape: [Int]) throws {
        let scores = randomTensor(shape, seed: 19, low: -2, high: 2)
        let positions = shape[0] * shape.dropFirst(2).reduce(1, *)
        var g = SeededGenerator(seed: 20)
        let labels = Tensor(shape: [positions], data: (0..<positions).map { _ in Float(Int(g.next() % UInt64(shape[1]))) })
        let h = try harness(scores, labels)
        let ref = Reference.softmaxLoss(scores, labels: labels)
        #expect(abs(h.forward()[0].data[0] - ref.loss) < 1e-5)
        let dx = h.backward(topGrads: [Tensor(shape: [], data: [1])]).bottoms[0]
        #expect(maxRelativeError(dx.data, ref.grad.data) < 1e-6)
        h.checkGradients(step: 1e-3)
    }

    @Test func labelCountMismatchThrows() {
        #expect(throws: NNError.self) { try harness(Tensor(shape: [2, 3]), Tensor(shape: [3])) }
    }
}

@Suite struct AccuracyTests {
    @Test(arguments: [1, 2]) func againstReference(topK: Int) throws {
        let scores = randomTensor([6, 3], seed: 21)
        let labels = Tensor(shape: [6], data: [0, 1, 2, 0, 1, 2])
        let h = try LayerHarness(layerDefinition("Accuracy", bottoms: ["s", "l"], tops: ["acc"]) { $0.topK = topK },
                                 inputs: [scores, labels])
        #expect(h.forward()[0].data[0] == Reference.accuracy(scores, labels: labels, topK: topK))
    }

    @Test func knownAnswer() throws {
        let scores = Tensor(shape: [3, 2], data: [0.9, 0.1, 0.2, 0.8, 0.7, 0.3])
        let h = try LayerHarness(layerDefinition("Accuracy", bottoms: ["s", "l"], tops: ["acc"]),
                                 inputs: [scores, Tensor(shape: [3], data: [0, 1, 1])])
        #expect(abs(h.forward()[0].data[0] - 2.0 / 3) < 1e-6)
    }
}

@Suite struct InputTests {
    @Test func shapesFromDefinition() throws {
        let layer = try LayerRegistry.make(layerDefinition("Input", bottoms: [], tops: ["data"]) { $0.inputShapes = [[2, 3, 4, 4]] },
                                           context: LayerContext())
        let top = Blob()
        try layer.reshape(bottoms: [], tops: [top])
        #expect(top.shape == [2, 3, 4, 4])
    }
}
