import MitosisSupport
/// The exhaustive search for the placement of a counting region with the most detections on a
/// `_HotspotGrid`. Not API.
///
/// Rectangles: every placement's count and tissue from two summed-area tables, O(1) each. Discs: a disc is a
/// set of horizontal runs of cells, one per row, each summed from its row's prefix sums (two loads a run);
/// the count and tissue of the disc's bounding square (O(1) from the summed-area tables) bound the disc's, so
/// only placements that could win are summed run by run. Rows of placements run in parallel; each row keeps
/// its best, and rows are merged top to bottom, so the answer does not depend on the number of cores.

/// One placement: the top-left cell of its bounding box, its count and tissue fraction, and which of the
/// shapes tried it is.
struct _HotspotPlacement: Sendable, Equatable {
    var count: Int
    var tissueFraction: Double
    var x: Int
    var y: Int
    var shape: Int

    /// The ranking: more detections, then more tissue, then top-most, then left-most; on a full tie the
    /// earlier shape (`other`) stays.
    func beats(_ other: _HotspotPlacement?) -> Bool {
        guard let o = other else { return true }
        if count != o.count { return count > o.count }
        if tissueFraction != o.tissueFraction { return tissueFraction > o.tissueFraction }
        if y != o.y { return y < o.y }
        return x < o.x
    }
}

/// A disc on the grid: the cells of a `size` x `size` square whose centres lie within `radius` cells of the
/// square's centre, as one run `lo[r]..<hi[r]` of columns for each row `dy[r]` that has any.
struct _HotspotDisc: Sendable, Equatable {
    let size: Int
    var dy: [Int] = []
    var lo: [Int] = []
    var hi: [Int] = []

    /// Cells in the disc.
    var cells: Int { zip(lo, hi).reduce(0) { $0 + $1.1 - $1.0 } }

    init(diameterCells d: Double) {
        let radius = d / 2
        size = max(1, Int((d - 1e-9).rounded(.up)))
        let centre = Double(size) / 2
        for row in 0..<size {
            let yc = Double(row) + 0.5 - centre
            guard yc * yc <= radius * radius else { continue }
            let half = (radius * radius - yc * yc).squareRoot()
            let first = max(0, Int((centre - half - 0.5).rounded(.up))), last = min(size - 1, Int((centre + half - 0.5).rounded(.down)))
            guard first <= last else { continue }
            dy.append(row); lo.append(first); hi.append(last + 1)
        }
    }
}

extension _HotspotGrid {
    /// The best `width` x `height`-cell placement whose tissue is at least `minimumFraction` of its cells,
    /// or nil if none qualifies (or it does not fit).
    func bestRectangle(width kw: Int, height kh: Int, shape: Int, minimumFraction: Double,
                       counts: _SummedArea<Int32>, tissue: _SummedArea<Int64>) -> _HotspotPlacement? {
        guard kw <= columns, kh <= rows else { return nil }
        let places = columns - kw + 1, s = counts.stride
        let full = Double(kw * kh) * Double(_HotspotGrid.tissueUnit)
        let need = Int64((minimumFraction * full).rounded(.up))
        return bestOverRows(rows - kh + 1, costPerRow: places * 8) { j in
            counts.table.withUnsafeBufferPointer { c in
                tissue.table.withUnsafeBufferPointer { t in
                    let top = j * s, bottom = (j + kh) * s
                    var best = -1, bestTissue: Int64 = -1, bestX = 0
                    for i in 0..<places {
                        let n = Int(c[bottom + i + kw] &- c[top + i + kw] &- c[bottom + i] &+ c[top + i])
                        if n < best { continue }
                        let area = t[bottom + i + kw] &- t[top + i + kw] &- t[bottom + i] &+ t[top + i]
                        if area < need || (n == best && area <= bestTissue) { continue }
                        best = n; bestTissue = area; bestX = i
                    }
                    return best < 0 ? nil : _HotspotPlacement(count: best, tissueFraction: Double(bestTissue) / full, x: bestX, y: j, shape: shape)
                }
            }
        }
    }

    /// The best placement of `disc` whose tissue is at least `minimumFraction` of its cells, or nil.
    ///
    /// Two passes, both pruned by bounds of the disc's bounding square (its count and tissue, O(1) each):
    /// the largest qualifying count M, skipping placements that cannot exceed the best so far; then, among
    /// placements of count M, the most tissue, top-most, left-most. When M is 0 (no detection in any
    /// qualifying placement) the second pass sums the tissue of the placements along each row up to the first
    /// disc wholly of tissue; a slide with neither detections nor such a disc is the worst case (every
    /// placement summed: ~0.9 s on a 2500 x 2000 grid for a 1.58 mm disc).
    func bestDisc(_ disc: _HotspotDisc, shape: Int, minimumFraction: Double, counts: _SummedArea<Int32>,
                  tissue: _SummedArea<Int64>, countRows: _RowPrefix<Int32>, tissueRows: _RowPrefix<Int32>) -> _HotspotPlacement? {
        let k = disc.size
        guard k <= columns, k <= rows else { return nil }
        let places = columns - k + 1, rowsOfPlaces = rows - k + 1, s = counts.stride, runs = disc.dy.count
        let full = Double(disc.cells) * Double(_HotspotGrid.tissueUnit)
        let need = Int64((minimumFraction * full).rounded(.up))
        return counts.table.withUnsafeBufferPointer { c in
            tissue.table.withUnsafeBufferPointer { t in
                countRows.table.withUnsafeBufferPointer { cr in
                    tissueRows.table.withUnsafeBufferPointer { tr in
                        disc.dy.withUnsafeBufferPointer { dy in
                            disc.lo.withUnsafeBufferPointer { lo in
                                disc.hi.withUnsafeBufferPointer { hi in
                                    let square = _SquareBounds(counts: c, tissue: t, stride: s, size: k)
                                    func discCount(_ i: Int, _ j: Int) -> Int {
                                        var n = 0
                                        for r in 0..<runs {
                                            let row = (j + dy[r]) * s + i
                                            n += Int(cr[row + hi[r]] &- cr[row + lo[r]])
                                        }
                                        return n
                                    }
                                    func discTissue(_ i: Int, _ j: Int) -> Int64 {
                                        var a: Int64 = 0
                                        for r in 0..<runs {
                                            let row = (j + dy[r]) * s + i
                                            a += Int64(tr[row + hi[r]] &- tr[row + lo[r]])
                                        }
                                        return a
                                    }
                                    // Pass 1: the largest qualifying count (each chunk of rows carries its best along).
                                    var rowMaxima = [Int](repeating: -1, count: rowsOfPlaces)
                                    rowMaxima.withUnsafeMutableBufferPointer { mb in
                                        let out = SharedBuffer(mb.baseAddress!)
                                        ParallelChunks.forEach(rowsOfPlaces, costPerItem: places * 8, maxChunks: 32) { range in
                                            var best = -1
                                            for j in range {
                                                for i in 0..<places {
                                                    let bound = square.count(i, j)
                                                    if bound <= best || square.tissue(i, j) < need { continue }
                                                    let n = bound == 0 ? 0 : discCount(i, j)
                                                    if n <= best || discTissue(i, j) < need { continue }
                                                    best = n
                                                }
                                                out.base[j] = best
                                            }
                                        }
                                    }
                                    let most = rowMaxima.max() ?? -1
                                    guard most >= 0 else { return nil }
                                    // Pass 2: among placements of that count, the most tissue, per row.
                                    return bestOverRows(rowsOfPlaces, costPerRow: places * 8) { j in
                                        // A disc wholly of tissue cannot be beaten further along its row.
                                        let whole = Int64(disc.cells) * Int64(_HotspotGrid.tissueUnit)
                                        var bestTissue: Int64 = -1, bestX = -1
                                        for i in 0..<places where bestTissue < whole {
                                            let bound = square.count(i, j)
                                            if bound < most { continue }
                                            let squareTissue = square.tissue(i, j)
                                            if squareTissue < need || squareTissue <= bestTissue { continue }
                                            if (bound == 0 ? 0 : discCount(i, j)) != most { continue }
                                            let a = discTissue(i, j)
                                            if a < need || a <= bestTissue { continue }
                                            bestTissue = a; bestX = i
                                        }
                                        return bestX < 0 ? nil
                                            : _HotspotPlacement(count: most, tissueFraction: Double(bestTissue) / full, x: bestX, y: j, shape: shape)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `bestInRow(j)` for every row of placements, in parallel, merged top to bottom.
    private func bestOverRows(_ count: Int, costPerRow: Int,
                              _ bestInRow: (Int) -> _HotspotPlacement?) -> _HotspotPlacement? {
        var perRow = [_HotspotPlacement?](repeating: nil, count: count)
        perRow.withUnsafeMutableBufferPointer { pb in
            let out = SharedBuffer(pb.baseAddress!)
            ParallelChunks.forEach(count, costPerItem: costPerRow, maxChunks: 32) { range in
                for j in range { out.base[j] = bestInRow(j) }
            }
        }
        var best: _HotspotPlacement?
        for case let p? in perRow where p.beats(best) { best = p }
        return best
    }
}

/// Count and tissue of the `size` x `size` square at a placement, from the summed-area tables: upper bounds
/// of a disc's inside it. Not API.
private struct _SquareBounds {
    let counts: UnsafeBufferPointer<Int32>
    let tissue: UnsafeBufferPointer<Int64>
    let stride: Int
    let size: Int

    init(counts: UnsafeBufferPointer<Int32>, tissue: UnsafeBufferPointer<Int64>, stride: Int, size: Int) {
        self.counts = counts; self.tissue = tissue; self.stride = stride; self.size = size
    }

    @inline(__always) func count(_ i: Int, _ j: Int) -> Int {
        let top = j * stride + i, bottom = (j + size) * stride + i
        return Int(counts[bottom + size] &- counts[top + size] &- counts[bottom] &+ counts[top])
    }

    @inline(__always) func tissue(_ i: Int, _ j: Int) -> Int64 {
        let top = j * stride + i, bottom = (j + size) * stride + i
        return tissue[bottom + size] &- tissue[top + size] &- tissue[bottom] &+ tissue[top]
    }
}
