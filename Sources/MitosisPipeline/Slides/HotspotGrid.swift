import MitosisSupport
import Dispatch
import MitosisImage

/// A slide's detections and tissue binned into square cells: what the hotspot search counts on. Not API.
///
/// Cell (i, j) covers x in [i c, (i + 1) c), y in [j c, (j + 1) c) um, c = `cellMicrons`; the last column and
/// row may reach past the slide. `counts` holds detections per cell, `tissue` the tissue area of the part of
/// the cell inside the slide, in 1/65536 of a whole cell (fixed point, so sums are exact and ties are ties).
struct _HotspotGrid: Sendable {
    /// `tissue` of a cell wholly of tissue.
    static let tissueUnit: Int32 = 1 << 16

    let cellMicrons: Double
    let columns: Int
    let rows: Int
    /// Detections per cell, row-major.
    var counts: [Int32]
    /// Tissue per cell in `tissueUnit`s, row-major.
    var tissue: [Int32]
    /// Detections inside the slide (all that `counts` holds).
    var detectionsInSlide = 0

    /// The cell side to use: `requested` um, or the smallest whole number of um above it that keeps the grid
    /// within `maximumCells`.
    static func cellSize(requested: Double, width: Double, height: Double, maximumCells: Int) -> Double {
        func cells(_ c: Double) -> Double { (width / c).rounded(.up) * (height / c).rounded(.up) }
        guard cells(requested) > Double(maximumCells) else { return requested }
        var c = max(requested, (width * height / Double(maximumCells)).squareRoot()).rounded(.up)
        while cells(c) > Double(maximumCells) { c += 1 }
        return c
    }

    /// Bins `detections` (um, slide coordinates; those outside [0, width] x [0, height] are left out) and the
    /// tissue `mask` (`micronsPerMaskPixel` um per pixel, its pixel (0, 0) at the slide's (0, 0)).
    init(detections: [Point], width: Double, height: Double, cellMicrons c: Double, mask: Mask, micronsPerMaskPixel: Double) {
        cellMicrons = c
        columns = max(1, Int((width / c).rounded(.up)))
        rows = max(1, Int((height / c).rounded(.up)))
        counts = [Int32](repeating: 0, count: columns * rows)
        for p in detections where p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height {
            counts[min(Int(p.y / c), rows - 1) * columns + min(Int(p.x / c), columns - 1)] += 1
            detectionsInSlide += 1
        }
        tissue = _HotspotGrid.binTissue(mask, micronsPerPixel: micronsPerMaskPixel, cell: c, columns: columns, rows: rows,
                                        width: width, height: height)
    }

    /// Tissue area of each cell's part inside the slide, exactly (the mask is piecewise constant, so the
    /// integral of a row of it is the linear interpolation of its prefix sums), in `tissueUnit`s of c^2.
    static func binTissue(_ mask: Mask, micronsPerPixel m: Double, cell c: Double, columns: Int, rows: Int,
                          width: Double, height: Double) -> [Int32] {
        var out = [Int32](repeating: 0, count: columns * rows)
        let mw = mask.width, mh = mask.height
        guard mw > 0, mh > 0 else { return out }
        // Column edges in mask pixels, clipped to the slide.
        let edges = (0...columns).map { min(Double($0) * c, width) / m }
        let unitsPerSquareMicron = Double(tissueUnit) / (c * c)
        out.withUnsafeMutableBufferPointer { ob in
            let shared = SharedBuffer(ob.baseAddress!)
            mask.bits.withUnsafeBufferPointer { bits in
                ParallelChunks.forEach(rows, costPerItem: mw * 2 + columns, maxChunks: 32) { range in
                    // Per grid row: each mask column's tissue height inside the row (um), then its prefix sums.
                    var heights = [Double](repeating: 0, count: mw), prefix = [Double](repeating: 0, count: mw + 1)
                    for j in range {
                        let y0 = Double(j) * c, y1 = min(Double(j + 1) * c, height)
                        let q0 = Int(y0 / m), q1 = min(mh, Int((y1 / m).rounded(.up)))
                        guard y1 > y0, q0 < q1 else { continue }
                        for p in 0..<mw { heights[p] = 0 }
                        for q in q0..<q1 {
                            let overlap = min(y1, Double(q + 1) * m) - max(y0, Double(q) * m)
                            guard overlap > 0 else { continue }
                            for p in 0..<mw where bits[q * mw + p] { heights[p] += overlap }
                        }
                        for p in 0..<mw { prefix[p + 1] = prefix[p] + heights[p] }
                        func integral(_ u: Double) -> Double {
                            guard u < Double(mw) else { return prefix[mw] }
                            let f = Int(u)
                            return prefix[f] + (u - Double(f)) * heights[f]
                        }
                        var left = integral(edges[0])
                        for i in 0..<columns {
                            let right = integral(edges[i + 1])
                            let units = ((right - left) * m * unitsPerSquareMicron).rounded()
                            shared.base[j * columns + i] = Int32(min(max(units, 0), Double(tissueUnit)))
                            left = right
                        }
                    }
                }
            }
        }
        return out
    }
}

/// A summed-area table (integral image) of a row-major grid: `table[(y) * (columns + 1) + x]` is the sum of
/// the cells above and left of (x, y). Not API.
struct _SummedArea<T: FixedWidthInteger & Sendable>: Sendable {
    let stride: Int
    let table: [T]

    /// Built in two parallel passes: prefix sums along each row, then down each column.
    init(_ values: [Int32], columns: Int, rows: Int) {
        let stride = columns + 1
        var t = [T](repeating: 0, count: (rows + 1) * stride)
        t.withUnsafeMutableBufferPointer { tb in
            let out = SharedBuffer(tb.baseAddress!)
            values.withUnsafeBufferPointer { vb in
                ParallelChunks.forEach(rows, costPerItem: columns, maxChunks: 32) { range in
                    for j in range {
                        var s: T = 0
                        let row = (j + 1) * stride
                        for i in 0..<columns { s &+= T(vb[j * columns + i]); out.base[row + i + 1] = s }
                    }
                }
            }
            ParallelChunks.forEach(stride, costPerItem: rows, maxChunks: 32) { range in
                for j in 1...rows {
                    let row = j * stride
                    for i in range { out.base[row + i] &+= out.base[row - stride + i] }
                }
            }
        }
        self.stride = stride
        table = t
    }
}

/// Prefix sums along each row of a row-major grid: `table[j * (columns + 1) + x]` is the sum of cells
/// 0..<x of row j, so any horizontal run of a row costs two loads. Not API.
struct _RowPrefix<T: FixedWidthInteger & Sendable>: Sendable {
    let stride: Int
    let table: [T]

    init(_ values: [Int32], columns: Int, rows: Int) {
        let stride = columns + 1
        var t = [T](repeating: 0, count: rows * stride)
        t.withUnsafeMutableBufferPointer { tb in
            let out = SharedBuffer(tb.baseAddress!)
            values.withUnsafeBufferPointer { vb in
                ParallelChunks.forEach(rows, costPerItem: columns, maxChunks: 32) { range in
                    for j in range {
                        var s: T = 0
                        for i in 0..<columns { s &+= T(vb[j * columns + i]); out.base[j * stride + i + 1] = s }
                    }
                }
            }
        }
        self.stride = stride
        table = t
    }
}
