import MitosisSupport
/// Interphase tumour nuclei and the dark cells that are not mitoses: lymphocytes, pyknotic nuclei,
/// apoptotic bodies and debris. The look-alikes are drawn as dark as mitoses on purpose, so that colour
/// and darkness alone cannot separate them (see the colour-baseline test).
enum Nuclei {
    /// A tumour nucleus: irregular ellipse, vesicular or hyperchromatic chromatin, a darker membrane
    /// and one or two nucleoli.
    static func tumour(_ canvas: DensityCanvas, x: Float, y: Float, profile: PatientProfile,
                       rng: inout SplitMix64) {
        let size = profile.nucleusRadius * Float(1 + rng.normal() * Double(profile.pleomorphism))
        let a = clamp(size, 11, 30)
        let b = a * Float(rng.uniform(0.62, 0.95))
        var blob = Blob(cx: x, cy: y, a: a, b: b, angle: Float(rng.uniform(0, .pi)),
                        irregularity: Float(rng.uniform(0.04, 0.14)), rng: &rng)
        blob.softness = 1.3
        let dark = rng.chance(profile.hyperchromatic)
        let base = dark ? Float(rng.uniform(1.2, 1.6)) : Float(rng.uniform(0.62, 0.95))
        let texture = dark ? Float(0.35) : Float(rng.uniform(0.25, 0.45))
        let rim = Float(rng.uniform(0.25, 0.55))
        canvas.rasterize(blob) { i, c, depth in
            let membrane = rim * smoothstep(0.72, 0.97, depth)
            canvas.depositH(i, c, base + texture * canvas.grain[i] + membrane)
            canvas.replaceE(i, c * 0.5, canvas.e[i] * 0.9)
        }
        let nucleoli = dark ? 0 : rng.pick([0, 1, 1, 1, 2, 2, 3])
        for _ in 0..<nucleoli {
            let r = Float(rng.uniform(0, 0.45)), t = Float(rng.uniform(0, 6.283))
            let nx = x + r * a * _cosf(t), ny = y + r * b * _sinf(t)
            let dot = Blob(cx: nx, cy: ny, radius: Float(rng.uniform(2.2, 4.2)))
            let value = base + Float(rng.uniform(0.5, 0.9))
            canvas.rasterize(dot) { i, c, _ in
                canvas.depositH(i, c, value)
                canvas.depositE(i, c, 0.75)
            }
        }
    }

    /// A lymphocyte: small, round, smooth, densely dark nucleus (25-30 px across at 40x).
    static func lymphocyte(_ canvas: DensityCanvas, x: Float, y: Float, rng: inout SplitMix64) {
        let r = Float(rng.uniform(10, 14.5))
        var blob = Blob(cx: x, cy: y, a: r, b: r * Float(rng.uniform(0.82, 1)), angle: Float(rng.uniform(0, .pi)),
                        irregularity: 0.05, rng: &rng)
        blob.softness = 1.1
        let value = Float(rng.uniform(1.6, 2.4))
        canvas.rasterize(blob) { i, c, depth in
            canvas.depositH(i, c, value * (1 - 0.12 * depth) + 0.2 * canvas.grain[i])
        }
    }

    /// A pyknotic nucleus: shrunken, very dark, round and smooth, in a dense pink cell.
    static func pyknotic(_ canvas: DensityCanvas, x: Float, y: Float, rng: inout SplitMix64) {
        let cell = Blob(cx: x, cy: y, a: Float(rng.uniform(13, 19)), b: Float(rng.uniform(11, 16)),
                        angle: Float(rng.uniform(0, .pi)), irregularity: 0.1, rng: &rng)
        if rng.chance(0.6) { halo(canvas, around: cell, rng: &rng) }
        let eosin = Float(rng.uniform(0.7, 1.2))
        canvas.rasterize(cell) { i, c, _ in canvas.depositE(i, c, eosin) }
        let r = Float(rng.uniform(6, 10))
        var core = Blob(cx: x + Float(rng.normal() * 2), cy: y + Float(rng.normal() * 2), radius: r)
        core.softness = 0.9
        let value = Float(rng.uniform(2.3, 3.0))
        canvas.rasterize(core) { i, c, _ in canvas.depositH(i, c, value + 0.1 * canvas.grain[i]) }
    }

    /// An apoptotic body: hypereosinophilic cell with dark nuclear fragments, usually in a clear space.
    static func apoptotic(_ canvas: DensityCanvas, x: Float, y: Float, rng: inout SplitMix64) {
        let size = Float(rng.uniform(11, 19))
        let body = Blob(cx: x, cy: y, a: size, b: size * Float(rng.uniform(0.7, 1)),
                        angle: Float(rng.uniform(0, .pi)), irregularity: 0.12, rng: &rng)
        if rng.chance(0.75) { halo(canvas, around: body, rng: &rng) }
        let eosin = Float(rng.uniform(0.9, 1.4))
        canvas.rasterize(body) { i, c, _ in
            canvas.depositE(i, c, eosin)
            canvas.depositH(i, c, 0.35)
        }
        for _ in 0..<rng.int(in: 1...6) {
            let r = Float(rng.uniform(0, 0.6)) * size, t = Float(rng.uniform(0, 6.283))
            let fr = Float(rng.uniform(2.5, 7))
            var piece = Blob(cx: x + r * _cosf(t), cy: y + r * _sinf(t), a: fr, b: fr * Float(rng.uniform(0.6, 1)),
                             angle: Float(rng.uniform(0, .pi)), irregularity: 0.15, rng: &rng)
            piece.softness = 1
            let value = Float(rng.uniform(2.1, 2.9))
            canvas.rasterize(piece) { i, c, _ in canvas.depositH(i, c, value) }
        }
    }

    /// Karyorrhectic dust and debris: a scatter of small dark specks.
    static func debris(_ canvas: DensityCanvas, x: Float, y: Float, rng: inout SplitMix64) {
        for _ in 0..<rng.int(in: 2...9) {
            let r = Float(rng.uniform(1.2, 4))
            let speck = Blob(cx: x + Float(rng.normal() * 10), cy: y + Float(rng.normal() * 10), radius: r)
            let value = Float(rng.uniform(1.4, 2.6))
            canvas.rasterize(speck) { i, c, _ in canvas.depositH(i, c, value) }
        }
    }

    /// Clears cytoplasm around a cell (retraction or the rounding-up of a dividing cell).
    static func halo(_ canvas: DensityCanvas, around cell: Blob, strength: ClosedRange<Double> = 0.45...0.8,
                     rng: inout SplitMix64) {
        var ring = cell
        let grow = Float(rng.uniform(1.3, 1.7))
        ring.a *= grow
        ring.b *= grow
        ring.softness = Float(rng.uniform(2.5, 5))
        let strength = Float(rng.uniform(strength.lowerBound, strength.upperBound))
        canvas.rasterize(ring) { i, c, _ in canvas.clear(i, c, strength) }
    }
}
