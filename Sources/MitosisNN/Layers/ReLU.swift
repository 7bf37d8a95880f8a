/// Caffe's `ReLU`: `y = max(x, 0) + negative_slope * min(x, 0)`. May run in place.
///
/// Backward uses the sign of the bottom data, which in place is the top data (same sign for slope >= 0).
public final class ReLU: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []

    public init(definition: LayerDefinition, context: LayerContext) { self.definition = definition }

    public var allowsInPlace: Bool { true }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 1...1, topRange: 1...1)
        if tops[0] !== bottoms[0] { tops[0].reshape(bottoms[0].shape) }
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        let x = bottoms[0].data, slope = definition.negativeSlope
        x.withUnsafeBufferPointer { x in
            tops[0].data.withUnsafeMutableBufferPointer { y in
                for i in 0..<x.count { y[i] = x[i] > 0 ? x[i] : slope * x[i] }
            }
        }
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard propagateDown[0] else { return }
        let x = bottoms[0].data, dy = tops[0].diff, slope = definition.negativeSlope
        x.withUnsafeBufferPointer { x in
            dy.withUnsafeBufferPointer { dy in
                bottoms[0].diff.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<x.count { dx[i] = x[i] > 0 ? dy[i] : slope * dy[i] }
                }
            }
        }
    }
}
