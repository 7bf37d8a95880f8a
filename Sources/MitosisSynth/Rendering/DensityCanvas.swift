import MitosisSupport
/// Two float planes of stain amount, hematoxylin and eosin, on which tissue is drawn.
///
/// Values are optical-density multipliers of the stain vectors (1.0 = one unit of the stain's optical
/// density). Everything is drawn here and converted to RGB at the end by Beer-Lambert absorption, so
/// overlapping structures darken the way stained tissue does instead of covering each other with paint.
final class DensityCanvas {
    let width: Int
    let height: Int
    /// Hematoxylin amount per pixel, row-major.
    var h: [Float]
    /// Eosin amount per pixel, row-major.
    var e: [Float]
    /// Fine chromatin-like texture in about [-1, 1], shared by all nuclei of the image.
    let grain: [Float]

    init(width: Int, height: Int, rng: inout SplitMix64) {
        self.width = width
        self.height = height
        h = [Float](repeating: 0, count: width * height)
        e = [Float](repeating: 0, count: width * height)
        var g = [Float](repeating: 0, count: width * height)
        ValueNoise.add(to: &g, width: width, height: height, cellX: 2.6, cellY: 2.6, amplitude: 0.8, rng: &rng)
        ValueNoise.add(to: &g, width: width, height: height, cellX: 6, cellY: 6, amplitude: 0.6, rng: &rng)
        grain = g
    }

    /// Clipped pixel bounds of a box around (cx, cy) with half-size `rx`, `ry`; nil when off the canvas.
    @inline(__always)
    func bounds(cx: Float, cy: Float, rx: Float, ry: Float) -> (x0: Int, x1: Int, y0: Int, y1: Int)? {
        let x0 = max(Int((cx - rx).rounded(.down)), 0), x1 = min(Int((cx + rx).rounded(.up)), width - 1)
        let y0 = max(Int((cy - ry).rounded(.down)), 0), y1 = min(Int((cy + ry).rounded(.up)), height - 1)
        return x0 <= x1 && y0 <= y1 ? (x0, x1, y0, y1) : nil
    }

    /// Calls `body(index, coverage, depth)` for every pixel touched by `shape`: `coverage` in (0, 1] is the
    /// anti-aliased inside fraction, `depth` runs from 0 at the centre to 1 at the boundary.
    @inline(__always)
    func rasterize(_ shape: Blob, _ body: (Int, Float, Float) -> Void) {
        let reach = shape.reach + 1.5
        guard let b = bounds(cx: shape.cx, cy: shape.cy, rx: reach, ry: reach) else { return }
        let ca = shape.cosA, sa = shape.sinA, ia = 1 / shape.a, ib = 1 / shape.b
        let n = Float(Blob.tableSize)
        shape.table.withUnsafeBufferPointer { table in
            for y in b.y0...b.y1 {
                let dy = Float(y) - shape.cy
                for x in b.x0...b.x1 {
                    let dx = Float(x) - shape.cx
                    let u = (dx * ca + dy * sa) * ia
                    let v = (dy * ca - dx * sa) * ib
                    let rho = (u * u + v * v).squareRoot()
                    // Boundary radius (in ellipse units) in this direction, linearly interpolated.
                    var t = (_atan2f(v, u) * (0.5 / .pi) + 0.5) * n
                    if t >= n { t -= n }
                    let i = Int(t), f = t - Float(i)
                    let rb = table[i] + (table[i + 1] - table[i]) * f
                    // Pixel distance outside the boundary along the ray, then a 1.2 px soft edge.
                    let len = (dx * dx + dy * dy).squareRoot()
                    let dist = rho > 1e-4 ? (rho - rb) * len / rho : -rb * shape.a
                    let coverage = clamp(0.5 - dist / shape.softness, 0, 1)
                    if coverage > 0 { body(y * width + x, coverage, min(rho / rb, 1)) }
                }
            }
        }
    }

    /// Calls `body(index, coverage, along)` for pixels within `radius` of the segment p0-p1 (a capsule);
    /// `along` is the position on the segment in [0, 1].
    @inline(__always)
    func rasterize(capsuleFrom x0: Float, _ y0: Float, to x1: Float, _ y1: Float, radius: Float,
                   softness: Float = 1, _ body: (Int, Float, Float) -> Void) {
        let reach = radius + softness + 1
        let cx = (x0 + x1) / 2, cy = (y0 + y1) / 2
        guard let b = bounds(cx: cx, cy: cy, rx: abs(x1 - x0) / 2 + reach, ry: abs(y1 - y0) / 2 + reach)
        else { return }
        let sx = x1 - x0, sy = y1 - y0
        let len2 = max(sx * sx + sy * sy, 1e-6)
        for y in b.y0...b.y1 {
            let py = Float(y) - y0
            for x in b.x0...b.x1 {
                let px = Float(x) - x0
                let s = clamp((px * sx + py * sy) / len2, 0, 1)
                let ex = px - s * sx, ey = py - s * sy
                let d = (ex * ex + ey * ey).squareRoot() - radius
                let coverage = clamp(0.5 - d / softness, 0, 1)
                if coverage > 0 { body(y * width + x, coverage, s) }
            }
        }
    }

    /// Raises hematoxylin towards `value` where covered (a stained object over whatever lies below).
    @inline(__always)
    func depositH(_ i: Int, _ coverage: Float, _ value: Float) {
        let old = h[i]
        if value > old { h[i] = old + (value - old) * coverage }
    }

    /// Raises eosin towards `value` where covered.
    @inline(__always)
    func depositE(_ i: Int, _ coverage: Float, _ value: Float) {
        let old = e[i]
        if value > old { e[i] = old + (value - old) * coverage }
    }

    /// Moves eosin towards `value` (up or down) where covered; nuclei displace the cytoplasm around them.
    @inline(__always)
    func replaceE(_ i: Int, _ coverage: Float, _ value: Float) {
        e[i] += (value - e[i]) * coverage
    }

    /// Multiplies both stains by `1 - strength * coverage` (clearing: halos, retraction, lumina).
    @inline(__always)
    func clear(_ i: Int, _ coverage: Float, _ strength: Float) {
        let k = 1 - strength * coverage
        h[i] *= k
        e[i] *= k
    }
}
