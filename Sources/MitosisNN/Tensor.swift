/// A dense float32 tensor in Caffe's NCHW layout (row-major, last dimension fastest).
///
/// Weights keep Caffe's layout too: convolution (out, in/group, kh, kw), inner product (out, in).
public struct Tensor: Sendable, Equatable {
    /// Dimensions, outermost first; a scalar has shape `[]` and one value.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values.
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(data.count == shape.reduce(1, *), "tensor data count \(data.count) does not match shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor filled with one value.
    public init(shape: [Int], fill: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: fill, count: shape.reduce(1, *)))
    }

    /// Total number of values.
    public var count: Int { data.count }
}
