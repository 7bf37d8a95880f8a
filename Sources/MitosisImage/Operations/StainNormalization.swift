import Foundation
import MitosisSupport

// Macenko stain normalisation (Macenko et al., "A method for normalizing histology slides for quantitative
// analysis", ISBI 2009): estimate an image's hematoxylin and eosin optical-density vectors from the plane
// spanned by its tissue pixels' two main OD directions, express every pixel in those two stains, scale each
// stain's robust maximum to a reference, and re-render with the reference stain vectors. Not part of the
// tutorial; `mitosis run` uses it so that patients stained darker or in another shade look alike to the net.

/// The stain vectors and robust maximum concentrations of one image (or of the reference).
public struct StainBasis: Sendable, Equatable, Codable {
    /// Optical-density vectors (R, G, B), unit length.
    public var hematoxylin: SIMD3<Double>
    public var eosin: SIMD3<Double>
    /// 99th percentile of each stain's concentration over the image.
    public var maxHematoxylin: Double
    public var maxEosin: Double

    public init(hematoxylin: SIMD3<Double>, eosin: SIMD3<Double>, maxHematoxylin: Double, maxEosin: Double) {
        self.hematoxylin = hematoxylin; self.eosin = eosin
        self.maxHematoxylin = maxHematoxylin; self.maxEosin = maxEosin
    }

    /// The target most Macenko implementations use (estimated on a typical H&E slide).
    public static let reference = StainBasis(
        hematoxylin: SIMD3(0.5626, 0.7201, 0.4062), eosin: SIMD3(0.2159, 0.8012, 0.5581),
        maxHematoxylin: 1.9705, maxEosin: 1.0308)
}

/// Macenko normalisation with its usual parameters.
public struct StainNormalizer: Sendable, Equatable, Codable {
    /// Transmitted light intensity (the brightness of glass).
    public var background: Double = 240
    /// Pixels with optical density below this in any channel are background, left out of the estimate.
    public var odThreshold: Double = 0.15
    /// Percentile (and 100 minus it) of the OD angles that give the two stain directions.
    public var anglePercentile: Double = 1
    /// Percentile of the concentrations taken as each stain's maximum.
    public var concentrationPercentile: Double = 99
    /// Pixels used for the estimate at most (an even spread of the image).
    public var samples = 250_000
    public var target = StainBasis.reference

    public init() {}

    /// Why an image cannot be normalised.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLittleTissue(pixels: Int)
        public var description: String {
            switch self {
            case .tooLittleTissue(let n):
                return "only \(n) pixels are stained enough to estimate the stains (at least 100 are needed)"
            }
        }
    }

    /// Optical density of each 8-bit level: -ln((v + 1) / background).
    private func densityTable() -> [Double] { (0..<256).map { -log((Double($0) + 1) / background) } }

    /// Estimates an RGB image's stain basis.
    public func estimate(_ image: Image) throws -> StainBasis {
        precondition(image.channels == 3, "stain estimation needs an RGB image")
        let od = densityTable()
        let n = image.width * image.height
        let step = max(1, n / max(samples, 1))
        // Tissue pixels' optical densities, from an even spread of the image.
        var tissue: [SIMD3<Double>] = []
        tissue.reserveCapacity(n / step + 1)
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < n {
                let v = SIMD3(od[Int(p[3 * i])], od[Int(p[3 * i + 1])], od[Int(p[3 * i + 2])])
                if v.min() >= odThreshold { tissue.append(v) }
                i += step
            }
        }
        guard tissue.count >= 100 else { throw Failure.tooLittleTissue(pixels: tissue.count) }
        // The plane of the two main directions of the OD cloud (its covariance's top two eigenvectors).
        let mean = tissue.reduce(SIMD3<Double>.zero, +) / Double(tissue.count)
        var cov = [[Double]](repeating: [0, 0, 0], count: 3)
        for v in tissue {
            let d = v - mean
            for r in 0..<3 { for c in 0..<3 { cov[r][c] += d[r] * d[c] } }
        }
        for r in 0..<3 { for c in 0..<3 { cov[r][c] /= Double(tissue.count - 1) } }
        let (_, vectors) = symmetricEigen(cov)
        // vectors sorted by decreasing eigenvalue; e1, e2 span the stain plane.
        var e1 = vectors[0], e2 = vectors[1]
        // Orient both so the OD cloud (all positive) projects positively, as a fixed convention.
        if (e1 * mean).sum() < 0 { e1 = -e1 }
        if (e2 * mean).sum() < 0 { e2 = -e2 }
        var angles = tissue.map { atan2(($0 * e2).sum(), ($0 * e1).sum()) }
        angles.sort()
        let low = percentile(sorted: angles, anglePercentile), high = percentile(sorted: angles, 100 - anglePercentile)
        var v1 = e1 * cos(low) + e2 * sin(low), v2 = e1 * cos(high) + e2 * sin(high)
        if v1.sum() < 0 { v1 = -v1 }
        if v2.sum() < 0 { v2 = -v2 }
        v1 /= (v1 * v1).sum().squareRoot(); v2 /= (v2 * v2).sum().squareRoot()
        // Hematoxylin absorbs more red than eosin does.
        let (h, e) = v1.x > v2.x ? (v1, v2) : (v2, v1)
        // Robust maximum concentrations over the sampled pixels (background included, as Macenko does).
        let solve = leastSquares(h, e)
        var ch: [Double] = [], ce: [Double] = []
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < n {
                let v = SIMD3(od[Int(p[3 * i])], od[Int(p[3 * i + 1])], od[Int(p[3 * i + 2])])
                ch.append((solve.0 * v).sum()); ce.append((solve.1 * v).sum())
                i += step
            }
        }
        ch.sort(); ce.sort()
        return StainBasis(hematoxylin: h, eosin: e,
                          maxHematoxylin: percentile(sorted: ch, concentrationPercentile),
                          maxEosin: percentile(sorted: ce, concentrationPercentile))
    }

    /// The image re-rendered in the target stains: estimate its basis, then map every pixel.
    public func normalize(_ image: Image) throws -> Image {
        try apply(estimate(image), to: image)
    }

    /// Maps every pixel from `source`'s stains to the target's.
    public func apply(_ source: StainBasis, to image: Image) -> Image {
        precondition(image.channels == 3, "stain normalisation needs an RGB image")
        let od = densityTable()
        let solve = leastSquares(source.hematoxylin, source.eosin)
        let sh = target.maxHematoxylin / max(source.maxHematoxylin, 1e-6)
        let se = target.maxEosin / max(source.maxEosin, 1e-6)
        let th = target.hematoxylin, te = target.eosin
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        let n = image.width * image.height
        image.pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                ParallelChunks.forEach(n, costPerItem: 64) { range in
                    let o = o
                    for i in range {
                        let v = SIMD3(od[Int(p[3 * i])], od[Int(p[3 * i + 1])], od[Int(p[3 * i + 2])])
                        let ch = (solve.0 * v).sum() * sh, ce = (solve.1 * v).sum() * se
                        let density = th * ch + te * ce
                        for k in 0..<3 {
                            let value = background * exp(-density[k])
                            o[3 * i + k] = UInt8(min(max(value, 0), 255).rounded())
                        }
                    }
                }
            }
        }
        return Image(width: image.width, height: image.height, channels: 3, pixels: out)
    }

    /// Rows of the least-squares solution of `od = ch * h + ce * e`: (ch, ce) = (dot(r0, od), dot(r1, od)).
    private func leastSquares(_ h: SIMD3<Double>, _ e: SIMD3<Double>) -> (SIMD3<Double>, SIMD3<Double>) {
        let hh = (h * h).sum(), he = (h * e).sum(), ee = (e * e).sum()
        let det = hh * ee - he * he
        // (A^T A)^-1 A^T with A = [h e].
        return ((h * ee - e * he) / det, (e * hh - h * he) / det)
    }

    /// Linear-interpolated percentile (numpy's default) of sorted values.
    private func percentile(sorted v: [Double], _ q: Double) -> Double {
        guard v.count > 1 else { return v.first ?? 0 }
        let position = q / 100 * Double(v.count - 1)
        let i = Int(position.rounded(.down)), f = position - Double(i)
        return i + 1 < v.count ? v[i] + f * (v[i + 1] - v[i]) : v[i]
    }
}

/// Eigenvalues (decreasing) and unit eigenvectors of a symmetric 3x3 matrix, by cyclic Jacobi rotations.
func symmetricEigen(_ matrix: [[Double]]) -> ([Double], [SIMD3<Double>]) {
    var a = matrix
    var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    for _ in 0..<50 {
        let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
        if off < 1e-30 { break }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] where abs(a[p][q]) > 1e-300 {
            let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
            let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
            let c = 1 / (t * t + 1).squareRoot(), s = t * c
            for k in 0..<3 {  // A <- A J
                let akp = a[k][p], akq = a[k][q]
                a[k][p] = c * akp - s * akq; a[k][q] = s * akp + c * akq
            }
            for k in 0..<3 {  // A <- J^T A
                let apk = a[p][k], aqk = a[q][k]
                a[p][k] = c * apk - s * aqk; a[q][k] = s * apk + c * aqk
            }
            for k in 0..<3 {  // V <- V J
                let vkp = v[k][p], vkq = v[k][q]
                v[k][p] = c * vkp - s * vkq; v[k][q] = s * vkp + c * vkq
            }
        }
    }
    let order = [0, 1, 2].sorted { a[$0][$0] > a[$1][$1] }
    return (order.map { a[$0][$0] }, order.map { SIMD3(v[0][$0], v[1][$0], v[2][$0]) })
}
