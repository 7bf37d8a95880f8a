import Dispatch

/// The one "split a loop into a few contiguous chunks and run them on both cores" of the project (image
/// operations, the hotspot's tables): small jobs (under ~1 M operations) run inline, larger ones as up to
/// `maxChunks` chunks on `DispatchQueue.concurrentPerform`.
///
/// Every output item must be computed by exactly one call and depend only on inputs, so results are
/// bit-identical whatever the chunking.
public enum ParallelChunks {
    public static func forEach(_ count: Int, costPerItem: Int, maxChunks: Int = 8, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = count * max(costPerItem, 1) < 1 << 20 ? 1 : min(count, max(1, maxChunks))
        if chunks == 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            let lo = count * k / chunks, hi = count * (k + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// A pointer that may cross into `concurrentPerform` closures; writers touch disjoint items.
public struct SharedBuffer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
