import MitosisSupport
/// Mitotic figures in their phases, drawn as condensed chromosomes (hematoxylin-dense rods and clumps)
/// in a rounded, often cleared cell. The annotated centre is (x, y); for anaphase and telophase it is the
/// middle between the two halves, as pathologists annotate them.
enum MitosisPainter {
    static func paint(_ canvas: DensityCanvas, x: Float, y: Float, phase: MitoticPhase, rng: inout SplitMix64) {
        let angle = Float(rng.uniform(0, .pi))
        let cell = Blob(cx: x, cy: y, a: Float(rng.uniform(20, 28)), b: Float(rng.uniform(17, 24)),
                        angle: angle, irregularity: 0.08, rng: &rng)
        if rng.chance(0.65) {
            Nuclei.halo(canvas, around: Blob(cx: x, cy: y, a: cell.a * 0.75, b: cell.b * 0.75, angle: angle,
                                             irregularity: 0.1, rng: &rng), strength: 0.2...0.55, rng: &rng)
        }
        let ink = Float(rng.uniform(1.9, 2.7))
        switch phase {
        case .prometaphase: clump(canvas, x: x, y: y, radius: Float(rng.uniform(10, 16)), ink: ink, rng: &rng)
        case .metaphase: plate(canvas, x: x, y: y, angle: angle, length: Float(rng.uniform(26, 44)),
                               thickness: Float(rng.uniform(4.5, 7)), ink: ink, hairs: true, rng: &rng)
        case .anaphase:
            let gap = Float(rng.uniform(9, 14))
            for side: Float in [-1, 1] {
                plate(canvas, x: x + side * gap * _cosf(angle + .pi / 2), y: y + side * gap * _sinf(angle + .pi / 2),
                      angle: angle, length: Float(rng.uniform(22, 36)), thickness: Float(rng.uniform(4.5, 6.5)),
                      ink: ink, hairs: rng.chance(0.7), bow: side * Float(rng.uniform(1, 4)), rng: &rng)
            }
        case .telophase:
            let gap = Float(rng.uniform(15, 22))
            let axis = angle + .pi / 2
            for side: Float in [-1, 1] {
                let px = x + side * gap * _cosf(axis), py = y + side * gap * _sinf(axis)
                // The daughter cells, pinched apart by the cleavage furrow.
                let daughter = Blob(cx: x + side * gap * 0.8 * _cosf(axis), cy: y + side * gap * 0.8 * _sinf(axis),
                                    a: Float(rng.uniform(12, 16)), b: Float(rng.uniform(15, 20)), angle: axis,
                                    irregularity: 0.08, rng: &rng)
                canvas.rasterize(daughter) { i, c, _ in canvas.depositE(i, c, 0.6) }
                var mass = Blob(cx: px, cy: py, a: Float(rng.uniform(8, 13)), b: Float(rng.uniform(4.5, 7.5)),
                                angle: angle, irregularity: 0.22, rng: &rng)
                mass.softness = 1
                canvas.rasterize(mass) { i, c, depth in
                    canvas.depositH(i, c, ink * (1 - 0.1 * depth) + 0.3 * canvas.grain[i])
                }
            }
        }
    }

    /// Prometaphase: a ragged cluster of short condensed chromosomes over a faint nuclear remnant.
    static func clump(_ canvas: DensityCanvas, x: Float, y: Float, radius: Float, ink: Float, rng: inout SplitMix64) {
        let ghost = Blob(cx: x, cy: y, a: radius, b: radius * 0.85, angle: Float(rng.uniform(0, .pi)),
                         irregularity: 0.3, rng: &rng)
        canvas.rasterize(ghost) { i, c, _ in canvas.depositH(i, c, 0.75 + 0.3 * canvas.grain[i]) }
        for _ in 0..<rng.int(in: 14...30) {
            let r = Float(rng.unit().squareRoot()) * radius * 0.9, t = Float(rng.uniform(0, 6.283))
            let cx = x + r * _cosf(t), cy = y + r * _sinf(t)
            let l = Float(rng.uniform(1.5, 4.5)), a = Float(rng.uniform(0, 6.283))
            let value = ink * Float(rng.uniform(0.85, 1.1))
            canvas.rasterize(capsuleFrom: cx - l * _cosf(a), cy - l * _sinf(a), to: cx + l * _cosf(a), cy + l * _sinf(a),
                             radius: Float(rng.uniform(1.3, 2.6)), softness: 1) { i, c, _ in
                canvas.depositH(i, c, value)
            }
        }
    }

    /// A metaphase plate (or one anaphase half) seen side-on: a knobbly dark bar along `angle`, optionally
    /// bowed, with chromosome arms sticking out of its long edges.
    static func plate(_ canvas: DensityCanvas, x: Float, y: Float, angle: Float, length: Float, thickness: Float,
                      ink: Float, hairs: Bool, bow: Float = 0, rng: inout SplitMix64) {
        let ux = _cosf(angle), uy = _sinf(angle)
        let nx = -uy, ny = ux
        let bend = bow != 0 ? bow : Float(rng.normal() * 2)
        let knots = Int(length / 4) + 2
        var points: [(Float, Float)] = []
        for k in 0..<knots {
            let s = Float(k) / Float(knots - 1) * 2 - 1
            let off = bend * (1 - s * s) + Float(rng.normal() * 0.8)
            points.append((x + ux * s * length / 2 + nx * off, y + uy * s * length / 2 + ny * off))
        }
        for k in 0..<(knots - 1) {
            let taper = 1 - 0.35 * abs(Float(k) / Float(knots - 2) * 2 - 1)
            let r = thickness * taper * Float(rng.uniform(0.8, 1.15))
            canvas.rasterize(capsuleFrom: points[k].0, points[k].1, to: points[k + 1].0, points[k + 1].1,
                             radius: r, softness: 1) { i, c, _ in
                canvas.depositH(i, c, ink + 0.2 * canvas.grain[i])
            }
        }
        guard hairs else { return }
        for _ in 0..<rng.int(in: Int(length * 0.5)...Int(length * 1.1)) {
            let p = points[rng.int(below: knots)]
            let side: Float = rng.chance(0.5) ? 1 : -1
            let tilt = Float(rng.normal() * 0.5)
            let dx = nx * side * _cosf(tilt) + ux * _sinf(tilt), dy = ny * side * _cosf(tilt) + uy * _sinf(tilt)
            let start = thickness * 0.6, end = thickness + Float(rng.uniform(2.5, 7))
            let value = ink * Float(rng.uniform(0.75, 1))
            canvas.rasterize(capsuleFrom: p.0 + dx * start, p.1 + dy * start, to: p.0 + dx * end, p.1 + dy * end,
                             radius: Float(rng.uniform(0.8, 1.4)), softness: 1) { i, c, _ in
                canvas.depositH(i, c, value)
            }
        }
    }
}
