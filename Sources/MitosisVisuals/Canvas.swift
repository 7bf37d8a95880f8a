import MitosisImage

/// An RGB raster to draw charts and overlays on: anti-aliased lines, rings and disks, rectangles and
/// bitmap-font text.
///
/// Coordinates are continuous: pixel (i, j) covers [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5).
/// A 1 px line at y = j + 0.5 fills row j exactly. Coverage is the distance from a pixel centre to the shape,
/// which gives round caps and joins and one-pixel soft edges.
public struct Canvas: Sendable {
    /// The pixels drawn so far (3 channels).
    public private(set) var image: Image

    /// A canvas filled with `background`.
    public init(width: Int, height: Int, background: RGBColor = .white) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = background.r; pixels[i + 1] = background.g; pixels[i + 2] = background.b
        }
        image = Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// A canvas over a copy of `image` (gray and RGBA are converted to RGB).
    public init(_ image: Image) {
        self.image = image.channels == 3 ? image : image.convertedToChannels(3)
    }

    public var width: Int { image.width }
    public var height: Int { image.height }

    /// Colour of pixel (x, y).
    public func color(x: Int, y: Int) -> RGBColor {
        let i = (y * image.width + x) * 3
        return RGBColor(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])
    }

    /// Blends `color` over pixel (x, y) with weight `alpha` (0...1); pixels outside are ignored.
    public mutating func blend(x: Int, y: Int, _ color: RGBColor, alpha: Double = 1) {
        guard x >= 0, y >= 0, x < image.width, y < image.height, alpha > 0 else { return }
        let a = min(1, alpha), i = (y * image.width + x) * 3
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 {
            UInt8((Double(old) + (Double(new) - Double(old)) * a).rounded())
        }
        image.pixels[i] = mix(image.pixels[i], color.r)
        image.pixels[i + 1] = mix(image.pixels[i + 1], color.g)
        image.pixels[i + 2] = mix(image.pixels[i + 2], color.b)
    }

    /// Fills the pixels whose centres lie in [x, x + width) x [y, y + height).
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBColor, alpha: Double = 1) {
        for yy in max(0, y)..<max(max(0, y), min(image.height, y + h)) {
            for xx in max(0, x)..<max(max(0, x), min(image.width, x + w)) { blend(x: xx, y: yy, color, alpha: alpha) }
        }
    }

    /// A straight line of `lineWidth` pixels between two points (round caps).
    public mutating func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double), _ color: RGBColor,
                              lineWidth: Double = 1) {
        polyline([a, b], color, lineWidth: lineWidth)
    }

    /// Connected segments through `points`, blended once (joins are not drawn twice).
    /// - Parameter dash: on/off lengths in pixels along the line (e.g. `[6, 4]`); empty for a solid line.
    public mutating func polyline(_ points: [(x: Double, y: Double)], _ color: RGBColor, lineWidth: Double = 1,
                                  dash: [Double] = []) {
        let segments = dash.count >= 2 ? _dashed(points, dash) : _segments(points)
        guard !segments.isEmpty else { return }
        let half = lineWidth / 2
        let xs = segments.flatMap { [$0.0.x, $0.1.x] }, ys = segments.flatMap { [$0.0.y, $0.1.y] }
        let x0 = max(0, Int(xs.min()! - half - 1)), x1 = min(image.width - 1, Int(xs.max()! + half + 1))
        let y0 = max(0, Int(ys.min()! - half - 1)), y1 = min(image.height - 1, Int(ys.max()! + half + 1))
        guard x0 <= x1, y0 <= y1 else { return }
        var coverage = [Double](repeating: 0, count: (x1 - x0 + 1) * (y1 - y0 + 1))
        let rowLength = x1 - x0 + 1
        for (a, b) in segments {
            let sx0 = max(x0, Int(min(a.x, b.x) - half - 1)), sx1 = min(x1, Int(max(a.x, b.x) + half + 1))
            let sy0 = max(y0, Int(min(a.y, b.y) - half - 1)), sy1 = min(y1, Int(max(a.y, b.y) + half + 1))
            guard sx0 <= sx1, sy0 <= sy1 else { continue }
            for y in sy0...sy1 {
                for x in sx0...sx1 {
                    let d = _distance((Double(x) + 0.5, Double(y) + 0.5), a, b)
                    let c = min(1, max(0, half + 0.5 - d))
                    let k = (y - y0) * rowLength + (x - x0)
                    if c > coverage[k] { coverage[k] = c }
                }
            }
        }
        for y in y0...y1 {
            for x in x0...x1 where coverage[(y - y0) * rowLength + (x - x0)] > 0 {
                blend(x: x, y: y, color, alpha: coverage[(y - y0) * rowLength + (x - x0)])
            }
        }
    }

    /// A circle outline of `radius` (to the middle of the stroke) and `thickness` pixels around (cx, cy).
    public mutating func ring(cx: Double, cy: Double, radius: Double, thickness: Double, _ color: RGBColor) {
        let half = thickness / 2, outer = radius + half + 1
        let yLo = max(0, Int((cy - outer).rounded(.down))), yHi = min(image.height - 1, Int((cy + outer).rounded(.up)))
        let xLo = max(0, Int((cx - outer).rounded(.down))), xHi = min(image.width - 1, Int((cx + outer).rounded(.up)))
        guard yLo <= yHi, xLo <= xHi else { return }
        for y in yLo...yHi {
            for x in xLo...xHi {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                let d = abs((dx * dx + dy * dy).squareRoot() - radius)
                let c = min(1, max(0, half + 0.5 - d))
                if c > 0 { blend(x: x, y: y, color, alpha: c) }
            }
        }
    }

    /// A filled disk of `radius` around (cx, cy).
    public mutating func disk(cx: Double, cy: Double, radius: Double, _ color: RGBColor) {
        ring(cx: cx, cy: cy, radius: radius / 2, thickness: radius, color)
    }

    /// Draws `text` with its top-left corner at pixel (x, y), `scale` pixels per font pixel.
    /// - Parameter vertical: rotate 90 degrees anticlockwise (reads bottom to top); (x, y) is then the
    ///   bottom-left corner of the rotated text.
    public mutating func text(_ text: String, x: Int, y: Int, _ color: RGBColor, scale: Int = 1, vertical: Bool = false) {
        for (k, character) in text.enumerated() {
            let rows = BitmapFont.rows(of: character)
            for row in 0..<BitmapFont.glyphHeight where rows[row] != 0 {
                for column in 0..<BitmapFont.glyphWidth where rows[row] & (UInt8(0x10) >> UInt8(column)) != 0 {
                    let u = (k * BitmapFont.advance + column) * scale, v = row * scale
                    for sy in 0..<scale {
                        for sx in 0..<scale {
                            if vertical {
                                blend(x: x + v + sy, y: y - 1 - u - sx, color)
                            } else {
                                blend(x: x + u + sx, y: y + v + sy, color)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Distance from `p` to the segment a-b.
private func _distance(_ p: (Double, Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
    let vx = b.x - a.x, vy = b.y - a.y, wx = p.0 - a.x, wy = p.1 - a.y
    let len2 = vx * vx + vy * vy
    let t = len2 == 0 ? 0 : max(0, min(1, (wx * vx + wy * vy) / len2))
    let dx = wx - t * vx, dy = wy - t * vy
    return (dx * dx + dy * dy).squareRoot()
}

private typealias _Segment = ((x: Double, y: Double), (x: Double, y: Double))

private func _segments(_ points: [(x: Double, y: Double)]) -> [_Segment] {
    if points.count == 1 { return [(points[0], points[0])] }
    return zip(points, points.dropFirst()).map { ($0, $1) }
}

/// The "on" pieces of a dashed polyline; the pattern continues across vertices.
private func _dashed(_ points: [(x: Double, y: Double)], _ pattern: [Double]) -> [_Segment] {
    var out: [_Segment] = []
    var index = 0, left = pattern[0]
    for (a, b) in _segments(points) {
        let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        var at = 0.0
        while at < length {
            let step = min(left, length - at)
            if index % 2 == 0 {
                let t0 = at / length, t1 = (at + step) / length
                out.append(((a.x + (b.x - a.x) * t0, a.y + (b.y - a.y) * t0), (a.x + (b.x - a.x) * t1, a.y + (b.y - a.y) * t1)))
            }
            at += step; left -= step
            if left <= 1e-9 { index = (index + 1) % pattern.count; left = pattern[index] }
        }
    }
    return out
}
