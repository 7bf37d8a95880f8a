/// Caffe's `SoftmaxWithLoss`: softmax over `axis` then the mean multinomial log loss
/// `-sum log(max(p[label], FLT_MIN)) / count` (normalization VALID, no ignore label, so count = N*H*W).
///
/// - Bottoms: scores (N, C, ...), labels (N, ...) holding class indices as floats. Tops: loss (scalar),
///   optionally the probabilities. Loss weight 1 by default; no gradient flows to the labels.
public final class SoftmaxWithLoss: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []
    /// Probabilities from the last forward, same shape as the scores.
    public private(set) var probabilities: [Float] = []

    public init(definition: LayerDefinition, context: LayerContext) { self.definition = definition }

    public func defaultLossWeight(top index: Int) -> Float { index == 0 ? 1 : 0 }
    public func canPropagateDown(bottom index: Int) -> Bool { index == 0 }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 2...2, topRange: 1...2)
        let e = try softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        guard bottoms[1].count == e.outer * e.inner else {
            throw NNError.shapeMismatch(layer: name, expected: [e.outer * e.inner], got: bottoms[1].shape,
                                        hint: "one label per score position: labels must have N*H*W values")
        }
        tops[0].reshape([])
        if tops.count > 1 { tops[1].reshape(bottoms[0].shape) }
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        let e = try! softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        probabilities = [Float](repeating: 0, count: bottoms[0].count)
        bottoms[0].data.withUnsafeBufferPointer { x in
            probabilities.withUnsafeMutableBufferPointer { p in
                softmax(x.baseAddress!, p.baseAddress!, outer: e.outer, channels: e.channels, inner: e.inner)
            }
        }
        let labels = bottoms[1].data
        var loss: Double = 0
        for o in 0..<e.outer {
            for i in 0..<e.inner {
                let label = Int(labels[o * e.inner + i])
                precondition(label >= 0 && label < e.channels, "\(name): label \(label) outside 0..<\(e.channels)")
                let p = probabilities[(o * e.channels + label) * e.inner + i]
                loss -= Double(_logf(max(p, .leastNormalMagnitude)))
            }
        }
        tops[0].data[0] = Float(loss / Double(max(1, e.outer * e.inner)))
        if tops.count > 1 { tops[1].data = probabilities }
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard propagateDown[0] else { return }
        let e = try! softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        var dx = probabilities
        let labels = bottoms[1].data
        for o in 0..<e.outer {
            for i in 0..<e.inner {
                dx[(o * e.channels + Int(labels[o * e.inner + i])) * e.inner + i] -= 1
            }
        }
        let scale = tops[0].diff[0] / Float(max(1, e.outer * e.inner))
        for k in 0..<dx.count { dx[k] *= scale }
        bottoms[0].diff = dx
    }
}
