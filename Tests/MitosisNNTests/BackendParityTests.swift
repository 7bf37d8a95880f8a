import Testing
@testable import MitosisNN

/// The layers must give the same numbers whichever `ComputeBackend` does their arithmetic.
@Suite struct BackendParityTests {
    @Test func tutorialNetAgreesAcrossBackends() throws {
        // The tutorial's structure at 1/8 of its width: every layer type and geometry, debug-build cheap.
        let definition = NetFixtures.tutorial(batch: 2, width: 0.125)
        let swift = try Net(definition: definition, phase: .train, backend: SwiftBackend(), seed: 3)
        let onednn = try Net(definition: definition, phase: .train, backend: OneDNNBackend(), seed: 3)
        let inputs = ["data": randomTensor([2, 3, 32, 32], seed: 4, low: -60, high: 60),
                      "label": Tensor(shape: [2], data: [1, 0])]
        var results: [(loss: Float, grads: [String: [Tensor]], bottom: [Float])] = []
        for net in [swift, onednn] {
            for (name, tensor) in inputs { try net.setInput(name, tensor) }
            net.clearParamDiffs()
            let loss = try net.forwardBackward()
            var grads: [String: [Tensor]] = [:]
            for layer in net.layers where !layer.blobs.isEmpty { grads[layer.name] = layer.blobs.map(\.gradient) }
            results.append((loss, grads, net.blob("pool1")!.diff))
        }
        #expect(abs(results[0].loss - results[1].loss) < 1e-4 * max(1, abs(results[0].loss)))
        #expect(maxRelativeError(results[0].bottom, results[1].bottom) < 1e-3)
        for (layer, grads) in results[0].grads {
            for (k, grad) in grads.enumerated() {
                #expect(maxRelativeError(grad.data, results[1].grads[layer]![k].data) < 1e-3, "\(layer) param \(k)")
            }
        }
    }

    @Test(arguments: poolCases) func poolingAgreesAcrossBackends(_ c: PoolCase) throws {
        let x = distinctTensor([2, 3, c.height, c.width], seed: 8)
        var outputs: [(Tensor, Tensor)] = []
        for backend in [SwiftBackend(), OneDNNBackend()] as [any ComputeBackend] {
            let layer = try Pooling(definition: c.definition, context: LayerContext(backend: backend))
            let h = LayerHarness(layer: layer, bottoms: [Blob(x)], tops: [Blob()])
            let y = h.forward()[0]
            outputs.append((y, h.backward(topGrads: [randomTensor(y.shape, seed: 9)]).bottoms[0]))
        }
        #expect(outputs[0].0.shape == outputs[1].0.shape)
        #expect(maxRelativeError(outputs[0].0.data, outputs[1].0.data) < 1e-5)
        #expect(maxRelativeError(outputs[0].1.data, outputs[1].1.data) < 1e-5)
    }
}
