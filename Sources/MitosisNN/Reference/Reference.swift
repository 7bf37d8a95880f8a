/// Naive, obviously-correct implementations of every layer (plain loops over `Tensor`s), kept as the
/// algorithmic reference that tests compare the production path (and any compute backend) against.
///
/// Nothing here is fast and nothing here is used by `Net`.
public enum Reference {}

extension Tensor {
    /// Value at a 4-D index (n, c, h, w).
    @inline(__always) func at(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Float {
        data[((n * shape[1] + c) * shape[2] + h) * shape[3] + w]
    }

    /// Flat offset of a 4-D index.
    @inline(__always) func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }
}
