/// Caffe's `Dropout` with inverted scaling: in TRAIN each value is kept with probability `1 - ratio` and
/// scaled by `1 / (1 - ratio)`; in TEST the layer is the identity. May run in place.
///
/// The mask is drawn from the net's `RandomSource`, so a seed (or a restored solver state) reproduces it.
public final class Dropout: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []
    let context: LayerContext
    /// `1/(1-ratio)` where kept, 0 where dropped (from the last TRAIN forward).
    private var mask: [Float] = []

    public init(definition: LayerDefinition, context: LayerContext) throws {
        guard definition.dropoutRatio >= 0, definition.dropoutRatio < 1 else {
            throw NNError.invalidDefinition(layer: definition.name, hint: "dropout_ratio must be in [0, 1)")
        }
        self.definition = definition
        self.context = context
    }

    public var allowsInPlace: Bool { true }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        try checkCounts(bottoms: bottoms, tops: tops, bottomRange: 1...1, topRange: 1...1)
        if tops[0] !== bottoms[0] { tops[0].reshape(bottoms[0].shape) }
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {
        let x = bottoms[0].data
        guard context.phase == .train else {
            if tops[0] !== bottoms[0] { tops[0].data = x }
            return
        }
        let ratio = definition.dropoutRatio, scale = 1 / (1 - ratio)
        mask = (0..<x.count).map { _ in context.random.generator.nextUnitFloat() >= ratio ? scale : 0 }
        mask.withUnsafeBufferPointer { m in
            x.withUnsafeBufferPointer { x in
                tops[0].data.withUnsafeMutableBufferPointer { y in
                    for i in 0..<x.count { y[i] = x[i] * m[i] }
                }
            }
        }
    }

    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {
        guard propagateDown[0] else { return }
        let dy = tops[0].diff
        guard context.phase == .train else {
            if tops[0] !== bottoms[0] { bottoms[0].diff = dy }
            return
        }
        mask.withUnsafeBufferPointer { m in
            dy.withUnsafeBufferPointer { dy in
                bottoms[0].diff.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<dy.count { dx[i] = dy[i] * m[i] }
                }
            }
        }
    }
}
