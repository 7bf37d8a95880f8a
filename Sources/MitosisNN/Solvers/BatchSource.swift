/// Where a solver gets its batches: the data pipeline implements this.
public protocol BatchSource: AnyObject {
    /// The next batch for `phase`: data (N, C, H, W) and labels (N) as float class indices.
    func nextBatch(for phase: Phase) throws -> (data: Tensor, label: Tensor)
}

/// A `BatchSource` from a closure.
public final class ClosureBatchSource: BatchSource {
    private let next: (Phase) throws -> (data: Tensor, label: Tensor)
    /// A source calling `next` for every batch.
    public init(_ next: @escaping (Phase) throws -> (data: Tensor, label: Tensor)) { self.next = next }
    public func nextBatch(for phase: Phase) throws -> (data: Tensor, label: Tensor) { try next(phase) }
}
