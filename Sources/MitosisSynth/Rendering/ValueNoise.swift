import MitosisSupport
/// Smooth random fields for textures, computed on a coarse lattice and interpolated.
///
/// Value noise: random values on a lattice of `cellX` x `cellY` pixels, blended with a smooth-step weight.
/// One octave costs a few multiply-adds per pixel (the vertical blend is done once per lattice column and
/// row), which is what keeps a 2000x2000 image cheap; no per-pixel gradients or trigonometry.
enum ValueNoise {
    /// Adds `amplitude * noise` (noise in [-1, 1]) to `plane` (`width * height`, row-major).
    static func add(to plane: inout [Float], width: Int, height: Int, cellX: Float, cellY: Float,
                    amplitude: Float, rng: inout SplitMix64) {
        let gw = Int(Float(width) / cellX) + 3
        let gh = Int(Float(height) / cellY) + 3
        var lattice = [Float](repeating: 0, count: gw * gh)
        for i in 0..<lattice.count { lattice[i] = Float(rng.unit() * 2 - 1) * amplitude }
        // Random sub-cell offset so octaves do not share lattice lines.
        let ox = Float(rng.unit()) * cellX, oy = Float(rng.unit()) * cellY
        var column = [Int](repeating: 0, count: width)
        var weightX = [Float](repeating: 0, count: width)
        for x in 0..<width {
            let gx = (Float(x) + ox) / cellX
            let i = Int(gx)
            column[x] = i
            let f = gx - Float(i)
            weightX[x] = f * f * (3 - 2 * f)
        }
        var row = [Float](repeating: 0, count: gw)
        lattice.withUnsafeBufferPointer { g in
            plane.withUnsafeMutableBufferPointer { out in
                column.withUnsafeBufferPointer { col in
                    weightX.withUnsafeBufferPointer { wx in
                        row.withUnsafeMutableBufferPointer { r in
                            for y in 0..<height {
                                let gy = (Float(y) + oy) / cellY
                                let j = Int(gy)
                                var fy = gy - Float(j)
                                fy = fy * fy * (3 - 2 * fy)
                                let a = j * gw, b = (j + 1) * gw
                                for i in 0..<gw { r[i] = g[a + i] + (g[b + i] - g[a + i]) * fy }
                                let base = y * width
                                for x in 0..<width {
                                    let i = col[x]
                                    out[base + x] += r[i] + (r[i + 1] - r[i]) * wx[x]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A new plane of fractal noise: octaves of halving cell size and amplitude `gain` each.
    static func fractal(width: Int, height: Int, cell: Float, octaves: Int, gain: Float = 0.5,
                        rng: inout SplitMix64) -> [Float] {
        var plane = [Float](repeating: 0, count: width * height)
        var c = cell, a: Float = 1, total: Float = 0
        for _ in 0..<octaves {
            add(to: &plane, width: width, height: height, cellX: c, cellY: c, amplitude: a, rng: &rng)
            total += a
            c = max(c / 2, 1.5)
            a *= gain
        }
        let inv = 1 / total
        for i in 0..<plane.count { plane[i] *= inv }
        return plane
    }
}

/// Separable box blur with edge clamping; `passes` repetitions approach a Gaussian of sigma
/// `sqrt(passes * ((2r+1)^2 - 1) / 12)`.
enum BoxBlur {
    static func apply(_ plane: inout [Float], width: Int, height: Int, radius: Int, passes: Int = 1) {
        guard radius > 0, width > 0, height > 0 else { return }
        var tmp = [Float](repeating: 0, count: max(width, height))
        var column = [Float](repeating: 0, count: width)
        let norm = 1 / Float(2 * radius + 1)
        for _ in 0..<passes {
            plane.withUnsafeMutableBufferPointer { p in
                tmp.withUnsafeMutableBufferPointer { t in
                    // Horizontal.
                    for y in 0..<height {
                        let base = y * width
                        var sum: Float = 0
                        for k in -radius...radius { sum += p[base + clamp(k, 0, width - 1)] }
                        for x in 0..<width {
                            t[x] = sum * norm
                            sum += p[base + min(x + radius + 1, width - 1)] - p[base + max(x - radius, 0)]
                        }
                        for x in 0..<width { p[base + x] = t[x] }
                    }
                }
                // Vertical, a whole row at a time with running column sums (cache friendly).
                column.withUnsafeMutableBufferPointer { s in
                    let src = [Float](p)
                    src.withUnsafeBufferPointer { q in
                        for x in 0..<width { s[x] = 0 }
                        for k in -radius...radius {
                            let row = clamp(k, 0, height - 1) * width
                            for x in 0..<width { s[x] += q[row + x] }
                        }
                        for y in 0..<height {
                            let base = y * width
                            let add = min(y + radius + 1, height - 1) * width
                            let sub = max(y - radius, 0) * width
                            for x in 0..<width {
                                p[base + x] = s[x] * norm
                                s[x] += q[add + x] - q[sub + x]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A value-noise lattice that can be evaluated at any point (directions of stromal fibres, gates).
struct NoiseLattice {
    private let gw: Int
    private let cell: Float
    private let values: [Float]

    init(width: Int, height: Int, cell: Float, rng: inout SplitMix64) {
        self.cell = cell
        gw = Int(Float(width) / cell) + 3
        let gh = Int(Float(height) / cell) + 3
        values = (0..<(gw * gh)).map { _ in Float(rng.unit() * 2 - 1) }
    }

    /// Noise in [-1, 1] at (x, y); points outside the image are clamped to it.
    func value(_ x: Float, _ y: Float) -> Float {
        let gx = max(x, 0) / cell, gy = max(y, 0) / cell
        let gh = values.count / gw
        let i = min(Int(gx), gw - 2), j = min(Int(gy), gh - 2)
        var fx = min(gx - Float(i), 1), fy = min(gy - Float(j), 1)
        fx = fx * fx * (3 - 2 * fx)
        fy = fy * fy * (3 - 2 * fy)
        let a = values[j * gw + i], b = values[j * gw + i + 1]
        let c = values[(j + 1) * gw + i], d = values[(j + 1) * gw + i + 1]
        let top = a + (b - a) * fx, bottom = c + (d - c) * fx
        return top + (bottom - top) * fy
    }
}
