import Testing
@testable import MitosisNN

/// Deterministic test values.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextUniform(low, high) })
}

/// Distinct values (a shuffled ramp spaced 0.1 apart) so max pooling has no ties within a finite-difference step.
func distinctTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = SeededGenerator(seed: seed)
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }.shuffled(using: &g)
    return Tensor(shape: shape, data: values)
}

/// Maximum of |a - b| / max(1, |a|, |b|).
func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "counts \(a.count) vs \(b.count)")
    return zip(a, b).map { abs($0 - $1) / max(1, abs($0), abs($1)) }.max() ?? 0
}

func layerDefinition(_ type: String, name: String = "layer", bottoms: [String] = ["in"], tops: [String] = ["out"],
                     configure: (inout LayerDefinition) -> Void = { _ in }) -> LayerDefinition {
    var d = LayerDefinition(name: name, type: type, bottoms: bottoms, tops: tops)
    configure(&d)
    return d
}

/// A layer wired to fresh blobs, reshaped.
struct LayerHarness {
    let layer: any Layer
    let bottoms: [Blob]
    let tops: [Blob]

    init(_ definition: LayerDefinition, inputs: [Tensor], phase: Phase = .train, seed: UInt64 = 1) throws {
        layer = try LayerRegistry.make(definition, context: LayerContext(phase: phase, random: RandomSource(seed: seed)))
        bottoms = inputs.map(Blob.init)
        tops = definition.tops.map { _ in Blob() }
        try layer.reshape(bottoms: bottoms, tops: tops)
    }

    @discardableResult
    func forward() -> [Tensor] {
        layer.forward(bottoms: bottoms, tops: tops)
        return tops.map(\.value)
    }

    /// Backward with the given top gradients; returns bottom and parameter gradients.
    func backward(topGrads: [Tensor], propagate: [Bool]? = nil) -> (bottoms: [Tensor], params: [Tensor]) {
        for (top, grad) in zip(tops, topGrads) { top.diff = grad.data }
        for blob in layer.blobs { blob.zeroDiff() }
        for blob in bottoms { blob.zeroDiff() }
        layer.backward(tops: tops, propagateDown: propagate ?? bottoms.indices.map { layer.canPropagateDown(bottom: $0) },
                       bottoms: bottoms)
        return (bottoms.map(\.gradient), layer.blobs.map(\.gradient))
    }

    /// Exhaustive central-difference check of d(sum_k r_k * top_k)/d(every bottom in `checkBottoms` and every
    /// parameter), accumulating the objective in Double. `skip(value)` excludes points near a kink.
    func checkGradients(bottomsToCheck: [Int] = [0], step: Float = 1e-2, tolerance: Float = 1e-2,
                        beforeForward: () -> Void = {}, skip: (Float) -> Bool = { _ in false },
                        sourceLocation: SourceLocation = #_sourceLocation) {
        beforeForward()
        forward()
        let weights = tops.enumerated().map { randomTensor($1.shape, seed: UInt64(100 + $0)) }
        let analytic = backward(topGrads: weights, propagate: bottoms.indices.map { bottomsToCheck.contains($0) })
        func objective() -> Double {
            beforeForward()
            layer.forward(bottoms: bottoms, tops: tops)
            var sum = 0.0
            for (top, w) in zip(tops, weights) {
                for k in 0..<top.count { sum += Double(top.data[k]) * Double(w.data[k]) }
            }
            return sum
        }
        func check(_ blob: Blob, _ expected: [Float], _ what: String) {
            var checked = 0
            for i in 0..<blob.count {
                let saved = blob.data[i]
                if skip(saved) { continue }
                blob.data[i] = saved + step
                let plus = objective()
                blob.data[i] = saved - step
                let minus = objective()
                blob.data[i] = saved
                let numeric = Float((plus - minus) / (2 * Double(step)))
                let error = abs(numeric - expected[i]) / max(1, abs(numeric), abs(expected[i]))
                #expect(error <= tolerance, "\(what)[\(i)]: analytic \(expected[i]) numeric \(numeric)", sourceLocation: sourceLocation)
                checked += 1
            }
            #expect(checked > 0 || blob.count == 0, "\(what): every element was skipped", sourceLocation: sourceLocation)
        }
        for b in bottomsToCheck { check(bottoms[b], analytic.bottoms[b].data, "bottom \(b)") }
        for (p, blob) in layer.blobs.enumerated() { check(blob, analytic.params[p].data, "param \(p)") }
    }
}
