import MitosisSupport
/// Stromal detail: wavy collagen fibres following a smooth direction field, spindle fibroblast nuclei
/// lying along them, and capillaries with red blood cells.
enum Stroma {
    static func paint(_ canvas: DensityCanvas, layout: TissueLayout, rng: inout SplitMix64) {
        let w = Float(canvas.width), h = Float(canvas.height)
        let stromaArea = Double(w * h) * Double(1 - layout.tumourFraction)
        let fibreCount = rng.poisson(stromaArea / 1100)
        for _ in 0..<fibreCount { fibre(canvas, layout: layout, rng: &rng) }
        for _ in 0..<rng.poisson(stromaArea / 30_000) {
            let x = Float(rng.uniform(0, Double(w))), y = Float(rng.uniform(0, Double(h)))
            guard layout.tumour(at: x, y) < 0.2, layout.hole(at: x, y) < 0.2 else { continue }
            fibroblast(canvas, x: x, y: y, angle: layout.fibreAngle(at: x, y), rng: &rng)
        }
        for _ in 0..<rng.poisson(stromaArea / 900_000) {
            let x = Float(rng.uniform(0, Double(w))), y = Float(rng.uniform(0, Double(h)))
            guard layout.tumour(at: x, y) < 0.1 else { continue }
            capillary(canvas, x: x, y: y, angle: layout.fibreAngle(at: x, y), rng: &rng)
        }
    }

    /// One collagen fibre: a wavy stroke of eosin following the flow field, stopping at nests.
    static func fibre(_ canvas: DensityCanvas, layout: TissueLayout, rng: inout SplitMix64) {
        var x = Float(rng.uniform(0, Double(canvas.width))), y = Float(rng.uniform(0, Double(canvas.height)))
        guard layout.tumour(at: x, y) < 0.3 else { return }
        let steps = rng.int(in: 20...90)
        let radius = Float(rng.uniform(1.5, 4.5))
        let value = Float(rng.uniform(0.75, 1.05))
        let waveLength = Float(rng.uniform(30, 70)), waveAmp = Float(rng.uniform(0.05, 0.3))
        let phase = Float(rng.uniform(0, 6.3))
        let bias = Float(rng.normal() * 0.12)
        let stepLength: Float = 4
        for k in 0..<steps {
            let angle = layout.fibreAngle(at: x, y) + bias + waveAmp * _sinf(Float(k) * stepLength / waveLength * 6.283 + phase)
            let nx = x + stepLength * _cosf(angle), ny = y + stepLength * _sinf(angle)
            if layout.tumour(at: nx, ny) > 0.5 { break }
            canvas.rasterize(capsuleFrom: x, y, to: nx, ny, radius: radius, softness: 2) { i, c, _ in
                canvas.depositE(i, c * (1 - layout.hole[i]), value)
            }
            x = nx; y = ny
        }
    }

    /// A fibroblast: thin dark spindle nucleus with tapered ends.
    static func fibroblast(_ canvas: DensityCanvas, x: Float, y: Float, angle: Float, rng: inout SplitMix64) {
        let blob = Blob(cx: x, cy: y, a: Float(rng.uniform(12, 24)), b: Float(rng.uniform(2.8, 4.5)),
                        angle: angle + Float(rng.normal() * 0.15), irregularity: 0.08, rng: &rng)
        let value = Float(rng.uniform(1.1, 1.7))
        canvas.rasterize(blob) { i, c, depth in
            canvas.depositH(i, c, value * (1 - 0.3 * depth * depth) + 0.15 * canvas.grain[i])
        }
    }

    /// A capillary cut lengthwise or across: a thin endothelial wall and a row of red cells.
    static func capillary(_ canvas: DensityCanvas, x: Float, y: Float, angle: Float, rng: inout SplitMix64) {
        let length = Float(rng.uniform(20, 140)), radius = Float(rng.uniform(9, 16))
        let dx = _cosf(angle) * length / 2, dy = _sinf(angle) * length / 2
        canvas.rasterize(capsuleFrom: x - dx, y - dy, to: x + dx, y + dy, radius: radius + 3, softness: 1.5) { i, c, _ in
            canvas.depositE(i, c, 0.7)
        }
        canvas.rasterize(capsuleFrom: x - dx, y - dy, to: x + dx, y + dy, radius: radius, softness: 1.5) { i, c, _ in
            canvas.clear(i, c, 0.85)
        }
        let cells = Int(length / 9) + 1
        for k in 0..<cells where rng.chance(0.8) {
            let s = Float(k) / Float(max(cells - 1, 1)) - 0.5
            let cx = x + 2 * dx * s + Float(rng.normal() * 2), cy = y + 2 * dy * s + Float(rng.normal() * 2)
            let r = Float(rng.uniform(6.5, 8.5))
            canvas.rasterize(Blob(cx: cx, cy: cy, radius: r)) { i, c, depth in
                canvas.depositE(i, c, 1.5 - 0.4 * (1 - depth))
            }
        }
        // An endothelial nucleus on the wall.
        let side: Float = rng.chance(0.5) ? 1 : -1
        fibroblast(canvas, x: x - _sinf(angle) * (radius + 2) * side, y: y + _cosf(angle) * (radius + 2) * side,
                   angle: angle, rng: &rng)
    }
}
