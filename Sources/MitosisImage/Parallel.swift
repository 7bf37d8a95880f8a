import Dispatch

/// Runs `body(rowRange)` over `0..<rows` split into a few contiguous chunks, in parallel when the job is
/// large (`rows * costPerRow` above ~1 M operations).
///
/// Every output row must be computed by exactly one call and depend only on inputs, so results are
/// bit-identical whatever the chunking. Not API.
@usableFromInline
func _forEachRowChunk(rows: Int, costPerRow: Int, _ body: (Range<Int>) -> Void) {
    let work = rows * max(costPerRow, 1)
    let chunks = work < 1 << 20 ? 1 : min(rows, 8)
    if chunks <= 1 {
        if rows > 0 { body(0..<rows) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { k in
        let lo = rows * k / chunks, hi = rows * (k + 1) / chunks
        if lo < hi { body(lo..<hi) }
    }
}

/// A raw pointer that may cross into `concurrentPerform` closures; writers touch disjoint rows. Not API.
@usableFromInline
struct _SharedBuffer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
