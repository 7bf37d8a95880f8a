import MitosisSupport
/// The ground substance of a field: tumour-cell cytoplasm (partitioned between cells, with faint cell
/// borders), loose pink stroma, and bare glass in lumina and clefts.
enum Ground {
    static func paint(_ canvas: DensityCanvas, layout: TissueLayout, plan: CellPlan, rng: inout SplitMix64) {
        let width = canvas.width, height = canvas.height
        let mottle = ValueNoise.fractal(width: width, height: height, cell: 48, octaves: 3, gain: 0.6, rng: &rng)
        let stromaE = Float(rng.uniform(0.5, 0.68))
        var index = SpatialIndex(width: width, height: height, cell: 64)
        for cell in plan.cells { index.insert(cell.x, cell.y) }
        let cells = plan.cells
        let tile = 32
        let reach: Float = 60

        for ty in stride(from: 0, to: height, by: tile) {
            for tx in stride(from: 0, to: width, by: tile) {
                let candidates = index.candidates(x0: Float(tx) - reach, y0: Float(ty) - reach,
                                                  x1: Float(tx + tile) + reach, y1: Float(ty + tile) + reach)
                for y in ty..<min(ty + tile, height) {
                    for x in tx..<min(tx + tile, width) {
                        let i = y * width + x
                        let t = layout.tumour[i]
                        let m = mottle[i]
                        var hh: Float = 0.05 + 0.02 * m
                        var ee: Float = stromaE * (1 + 0.45 * m + 0.15 * canvas.grain[i])
                        if t > 0.001 {
                            let (ch, ce) = cytoplasm(x: Float(x), y: Float(y), jitter: 2.5 * m + 1.2 * canvas.grain[i],
                                                     cells: cells, candidates: candidates)
                            let grain = 1 + 0.12 * canvas.grain[i] + 0.25 * m
                            hh += (ch * grain - hh) * t
                            ee += (ce * grain - ee) * t
                        }
                        let keep = 1 - layout.hole[i]
                        canvas.h[i] = hh * keep
                        canvas.e[i] = ee * keep + 0.03 * (1 - keep) * (1 + m)
                    }
                }
            }
        }
    }

    /// Cytoplasm of the tumour cell owning (x, y) (nearest site), with a faint eosinophilic membrane where
    /// two cells meet. Far from any site the cytoplasm is a neutral average.
    @inline(__always)
    private static func cytoplasm(x: Float, y: Float, jitter: Float, cells: [CellPlan.TumourCell], candidates: [Int])
        -> (Float, Float) {
        var best = -1, second = -1
        var d1 = Float.infinity, d2 = Float.infinity
        for k in candidates {
            let dx = cells[k].x - x, dy = cells[k].y - y
            let d = dx * dx + dy * dy
            if d < d1 { d2 = d1; second = best; d1 = d; best = k } else if d < d2 { d2 = d; second = k }
        }
        guard best >= 0 else { return (0.28, 0.46) }
        let owner = cells[best]
        var h = owner.cytoH, e = owner.cytoE
        if second >= 0 {
            let sx = cells[second].x - owner.x, sy = cells[second].y - owner.y
            let gap = (sx * sx + sy * sy).squareRoot()
            // Distance to the bisector between the two nearest sites.
            let toBorder = (d2 - d1) / (2 * max(gap, 1))
            let line = max(0, 1 - abs(toBorder + jitter) / 2)
            e += 0.12 * line
            h += 0.03 * line
        }
        // Cells thin out far from their nucleus (loose edges of nests).
        let fade = min(1, max(0, (d1.squareRoot() - 48) / 30))
        return (h * (1 - 0.5 * fade), e * (1 - 0.4 * fade))
    }
}
