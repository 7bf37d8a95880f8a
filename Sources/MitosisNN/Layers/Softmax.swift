/// Caffe's `Softmax` over `axis` (default 1, the channels): `y = exp(x - max) / sum exp(x - max)`.
public final class Softmax: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []

    public init(definition: LayerDefinition, context: LayerContext) { self.definition = definition }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 1...1, topRange: 1...1)
        _ = try softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        tops[0].reshape(bottoms[0].shape)
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        let e = try! softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        let x = bottoms[0].data
        x.withUnsafeBufferPointer { x in
            tops[0].data.withUnsafeMutableBufferPointer { y in
                softmax(x.baseAddress!, y.baseAddress!, outer: e.outer, channels: e.channels, inner: e.inner)
            }
        }
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard propagateDown[0] else { return }
        let e = try! softmaxExtents(layer: name, shape: bottoms[0].shape, axis: definition.axis)
        let y = tops[0].data, dy = tops[0].diff
        var dx = [Float](repeating: 0, count: y.count)
        for o in 0..<e.outer {
            for i in 0..<e.inner {
                let base = o * e.channels * e.inner + i
                var dot: Float = 0
                for c in 0..<e.channels { dot += y[base + c * e.inner] * dy[base + c * e.inner] }
                for c in 0..<e.channels {
                    let k = base + c * e.inner
                    dx[k] = y[k] * (dy[k] - dot)
                }
            }
        }
        bottoms[0].diff = dx
    }
}

/// (outer, channels, inner) of a softmax over `axis` of `shape`.
func softmaxExtents(layer: String, shape: [Int], axis: Int) throws -> (outer: Int, channels: Int, inner: Int) {
    let a = axis < 0 ? shape.count + axis : axis
    guard a >= 0, a < shape.count else {
        throw NNError.shapeMismatch(layer: layer, expected: [], got: shape, hint: "softmax axis \(axis) is out of range")
    }
    return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
}

/// Numerically stable softmax over the middle extent of an (outer, channels, inner) array.
func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, channels: Int, inner: Int) {
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * channels * inner + i
            var top = -Float.greatestFiniteMagnitude
            for c in 0..<channels { top = max(top, x[base + c * inner]) }
            var sum: Float = 0
            for c in 0..<channels {
                let e = _exp(x[base + c * inner] - top)
                y[base + c * inner] = e
                sum += e
            }
            for c in 0..<channels { y[base + c * inner] /= sum }
        }
    }
}
