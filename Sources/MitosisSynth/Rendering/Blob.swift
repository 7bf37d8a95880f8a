import MitosisSupport
/// An irregular ellipse: the outline of a nucleus, a chromatin clump or a cell.
///
/// Semi-axes `a` (along angle `angle`) and `b`, with the boundary radius in normalised ellipse units
/// perturbed by a few low harmonics (lobes, dents) plus a little high-frequency boundary noise.
/// The perturbation is tabulated at `tableSize` directions and interpolated when drawing.
struct Blob {
    static let tableSize = 64
    var cx: Float
    var cy: Float
    var a: Float
    var b: Float
    var cosA: Float
    var sinA: Float
    /// Boundary radius (1 = plain ellipse) at `tableSize + 1` equally spaced directions (last = first).
    var table: [Float]
    /// Width of the anti-aliased edge in pixels (larger = blurrier outline).
    var softness: Float = 1.2

    /// Largest distance of the outline from the centre, in pixels.
    var reach: Float { max(a, b) * (table.max() ?? 1) }

    /// A blob with random lobes: `irregularity` ~0.05 is a gently dented nucleus, ~0.3 a ragged clump.
    init(cx: Float, cy: Float, a: Float, b: Float, angle: Float, irregularity: Float,
         rng: inout SplitMix64) {
        self.cx = cx
        self.cy = cy
        self.a = a
        self.b = b
        cosA = _cosf(angle)
        sinA = _sinf(angle)
        let n = Blob.tableSize
        var t = [Float](repeating: 1, count: n + 1)
        if irregularity > 0 {
            // Low harmonics give the overall lumpiness; the amplitudes fall off so shapes stay compact.
            for k in 2...6 {
                let amp = irregularity * Float(rng.uniform(0.2, 1)) / Float(k - 1).squareRoot()
                let phase = Float(rng.uniform(0, 2 * .pi))
                for i in 0..<n {
                    let theta = Float(i) / Float(n) * 2 * .pi
                    t[i] += amp * 0.5 * _cosf(Float(k) * theta + phase)
                }
            }
            // Boundary roughness: a smoothed random walk, small.
            var rough = [Float](repeating: 0, count: n)
            for i in 0..<n { rough[i] = Float(rng.uniform(-1, 1)) }
            for i in 0..<n {
                let s = rough[(i + n - 1) % n] + rough[i] + rough[(i + 1) % n]
                t[i] += s / 3 * irregularity * 0.25
            }
        }
        for i in 0..<n { t[i] = max(t[i], 0.35) }
        t[n] = t[0]
        table = t
    }

    /// A plain disk.
    init(cx: Float, cy: Float, radius: Float) {
        self.cx = cx
        self.cy = cy
        a = radius
        b = radius
        cosA = 1
        sinA = 0
        table = [Float](repeating: 1, count: Blob.tableSize + 1)
    }
}
