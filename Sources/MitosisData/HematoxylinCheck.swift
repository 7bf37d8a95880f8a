import Foundation
import MitosisImage

/// An independent nuclear-stain estimate: Ruifrok & Johnston's colour deconvolution with their H&E vectors.
public enum HematoxylinCheck {
    /// Pixels whose hematoxylin optical density is in the top 10 % of the image and above 0.3.
    public static func stronglyStained(_ img: Image) -> Mask {
        let h = [0.650, 0.704, 0.286], e = [0.072, 0.990, 0.105]
        var r = [h[1] * e[2] - h[2] * e[1], h[2] * e[0] - h[0] * e[2], h[0] * e[1] - h[1] * e[0]]
        let norm = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).squareRoot()
        r = r.map { $0 / norm }
        let inv = invert([h, e, r])
        var od = FloatPlane(width: img.width, height: img.height)
        for i in 0..<(img.width * img.height) {
            let o = (0..<3).map { -log10((Double(img.pixels[i * 3 + $0]) + 1) / 256) }
            od.values[i] = Float(o[0] * inv[0][0] + o[1] * inv[1][0] + o[2] * inv[2][0])
        }
        return od.mask(above: max(0.3, od.percentile(90)))
    }

    /// Inverse of a 3x3 matrix (rows = stain vectors); concentrations = OD * inverse.
    static func invert(_ m: [[Double]]) -> [[Double]] {
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        var out = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 {
            let a = m[(j + 1) % 3], b = m[(j + 2) % 3]
            out[i][j] = (a[(i + 1) % 3] * b[(i + 2) % 3] - a[(i + 2) % 3] * b[(i + 1) % 3]) / det
        } }
        return out
    }
}
