/// Caffe's `Input` (and the placeholder for `Data`): tops are filled by the caller, nothing is computed.
///
/// `Input` takes its shapes from `input_param` (`LayerDefinition.inputShapes`); for `Data` the net supplies
/// them (the batch comes from outside, see `Net.init(definition:phase:inputShapes:...)`).
public final class Input: Layer {
    public let definition: LayerDefinition
    public var blobs: [Blob] = []
    /// Shapes of the tops, in order.
    public var shapes: [[Int]]

    public init(definition: LayerDefinition, context: LayerContext) {
        self.definition = definition
        shapes = definition.inputShapes
    }

    public func reshape(bottoms: [Blob], tops: [Blob]) throws {
        guard bottoms.isEmpty, shapes.count == tops.count else {
            throw NNError.invalidDefinition(
                layer: name, hint: "\(type) takes no bottoms and needs one shape per top (\(tops.count) tops, \(shapes.count) shapes)")
        }
        for (top, shape) in zip(tops, shapes) where top.shape != shape { top.reshape(shape) }
    }

    public func forward(bottoms: [Blob], tops: [Blob]) {}
    public func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob]) {}
}
