/// Caffe's `Accuracy`: the fraction of positions whose true class is among the `top_k` highest scores
/// (a tie with the true class's score counts against it, as in Caffe). No gradient.
///
/// - Bottoms: scores (N, C, ...), labels (N, ...). Top: accuracy (scalar).
public final class Accuracy: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []

    public init(definition: LayerDefinition, context: LayerContext) { self.definition = definition }

    public func canPropagateDown(bottom index: Int) -> Bool { false }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 2...2, topRange: 1...1)
        let e = try softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        guard bottoms[1].count == e.outer * e.inner else {
            throw NNError.shapeMismatch(layer: name, expected: [e.outer * e.inner], got: bottoms[1].shape,
                                        hint: "one label per score position: labels must have N*H*W values")
        }
        guard definition.topK >= 1 && definition.topK <= e.channels else {
            throw NNError.invalidDefinition(layer: name, hint: "top_k must be in 1...\(e.channels)")
        }
        tops[0].reshape([])
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        let e = try! softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        let x = bottoms[0].data, labels = bottoms[1].data
        var correct = 0
        for o in 0..<e.outer {
            for i in 0..<e.inner {
                let base = o * e.channels * e.inner + i
                let truth = x[base + Int(labels[o * e.inner + i]) * e.inner]
                var better = -1  // the true class itself counts once
                for c in 0..<e.channels where x[base + c * e.inner] >= truth { better += 1 }
                if better < definition.topK { correct += 1 }
            }
        }
        tops[0].data[0] = Float(correct) / Float(max(1, e.outer * e.inner))
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {}
}
