/// A named activation or parameter buffer: values and their gradient (Caffe's `Blob` with `data` and `diff`).
///
/// Blobs are reference types so that in-place layers (top == bottom) and nets that share weights (a TEST net
/// reading the TRAIN net's parameters, as Caffe's solver does) see the same storage.
public final class Blob {
    /// NCHW dimensions (or `[]` for a scalar such as a loss).
    public private(set) var shape: [Int]
    /// `count` values.
    public var data: [Float]
    /// Gradient of the loss with respect to `data`; same count.
    public var diff: [Float]

    /// A zero-filled blob of `shape`.
    public init(shape: [Int] = [0]) {
        self.shape = shape
        let count = shape.reduce(1, *)
        data = [Float](repeating: 0, count: count)
        diff = [Float](repeating: 0, count: count)
    }

    /// A blob holding `tensor`'s values (gradient zero).
    public convenience init(_ tensor: Tensor) {
        self.init(shape: tensor.shape)
        data = tensor.data
    }

    /// Number of values.
    public var count: Int { data.count }

    /// Changes the shape; storage is reallocated (zeroed) only when the count changes.
    public func reshape(_ newShape: [Int]) {
        let count = newShape.reduce(1, *)
        shape = newShape
        if count != data.count {
            data = [Float](repeating: 0, count: count)
            diff = [Float](repeating: 0, count: count)
        }
    }

    /// The values as a tensor; setting requires the same count and adopts the shape.
    public var value: Tensor {
        get { Tensor(shape: shape, data: data) }
        set {
            precondition(newValue.count == count, "blob count \(count) does not match tensor \(newValue.shape)")
            shape = newValue.shape
            data = newValue.data
        }
    }

    /// The gradient as a tensor.
    public var gradient: Tensor { Tensor(shape: shape, data: diff) }

    /// Sets every gradient value to zero.
    public func zeroDiff() {
        diff.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Size of dimension `axis` (negative counts from the end).
    public func dim(_ axis: Int) -> Int { shape[axis < 0 ? shape.count + axis : axis] }

    /// Product of the dimensions from `start` (inclusive) to `end` (exclusive).
    public func count(from start: Int, to end: Int? = nil) -> Int {
        shape[start..<(end ?? shape.count)].reduce(1, *)
    }
}
