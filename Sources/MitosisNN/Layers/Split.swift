/// Caffe's `Split`: copies one bottom to several tops and sums their gradients. `Net` inserts it where a
/// blob feeds more than one layer, so that every other layer can overwrite its bottoms' gradients.
public final class Split: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []

    public init(definition: LayerDefinition, context: LayerContext) { self.definition = definition }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 1...1, topRange: 1...Int.max)
        for top in tops { top.reshape(bottoms[0].shape) }
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        for top in tops { top.data = bottoms[0].data }
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard propagateDown[0] else { return }
        var sum = tops[0].diff
        for top in tops.dropFirst() {
            top.diff.withUnsafeBufferPointer { d in for i in 0..<d.count { sum[i] += d[i] } }
        }
        bottoms[0].diff = sum
    }
}
