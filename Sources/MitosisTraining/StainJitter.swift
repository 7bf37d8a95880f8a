// Stain augmentation for training patches: random hematoxylin and eosin strengths and brightness, applied in
// optical-density space with Ruifrok & Johnston's H&E colour-deconvolution vectors (the "HED jitter" of
// Tellez et al., Med Image Anal 2019). Not part of Caffe: `mitosis run` turns it on, `mitosis train` with
// `--stain-jitter`.
import MitosisSupport
import Foundation

/// Random stain variation of one training patch, to make a model trained on some patients' slides hold up
/// on other patients' (darker or paler) staining.
///
/// Per patch: hematoxylin and eosin concentrations are each scaled by a factor drawn uniformly from
/// `1 ± hematoxylin` and `1 ± eosin`; each stain's colour (its optical-density vector) moves by up to `hue` in
/// each of R, G, B (stains differ in shade between labs and batches); then a brightness offset drawn from
/// `± brightness` grey levels is added. With all four at zero the patch is unchanged.
public struct StainJitter: Sendable, Equatable, Codable {
    public var hematoxylin: Float
    public var eosin: Float
    public var hue: Float
    public var brightness: Float

    /// Defaults cover the spread between slides of one lab (stain strengths +/- 25-30 %, shades +/- 0.08 per
    /// channel of the unit OD vector, glass level +/- 10).
    public init(hematoxylin: Float = 0.25, eosin: Float = 0.3, hue: Float = 0.08, brightness: Float = 10) {
        self.hematoxylin = hematoxylin; self.eosin = eosin; self.hue = hue; self.brightness = brightness
    }

    /// The factors of one patch.
    public struct Draw: Sendable, Equatable {
        public var hematoxylin: Float, eosin: Float, brightness: Float
        /// Added to the hematoxylin and eosin OD vectors.
        public var hematoxylinShift: SIMD3<Float>, eosinShift: SIMD3<Float>
        public init(hematoxylin: Float = 1, eosin: Float = 1, brightness: Float = 0,
                    hematoxylinShift: SIMD3<Float> = .zero, eosinShift: SIMD3<Float> = .zero) {
            self.hematoxylin = hematoxylin; self.eosin = eosin; self.brightness = brightness
            self.hematoxylinShift = hematoxylinShift; self.eosinShift = eosinShift
        }
    }

    public func draw(using rng: inout SeededRandom) -> Draw {
        func uniform(_ half: Float) -> Float { Float(rng.unit() * 2 - 1) * half }
        let h = 1 + uniform(hematoxylin), e = 1 + uniform(eosin), b = uniform(brightness)
        let hs = SIMD3(uniform(hue), uniform(hue), uniform(hue)), es = SIMD3(uniform(hue), uniform(hue), uniform(hue))
        return Draw(hematoxylin: h, eosin: e, brightness: b, hematoxylinShift: hs, eosinShift: es)
    }

    // Ruifrok & Johnston's optical-density vectors (R, G, B), normalised; the third completes the basis.
    static let stains: [SIMD3<Float>] = {
        func unit(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }
        let h = unit(SIMD3(0.650, 0.704, 0.286)), e = unit(SIMD3(0.072, 0.990, 0.105)), d = unit(SIMD3(0.268, 0.570, 0.776))
        return [h, e, d]
    }()

    /// Rows of the inverse of the stain matrix: concentration of stain j = dot(od, inverse[j]).
    static let inverse: [SIMD3<Float>] = {
        let m = stains   // od = c0 * m[0] + c1 * m[1] + c2 * m[2]
        let cofactor0 = SIMD3(m[1].y * m[2].z - m[1].z * m[2].y, m[1].z * m[2].x - m[1].x * m[2].z, m[1].x * m[2].y - m[1].y * m[2].x)
        let cofactor1 = SIMD3(m[2].y * m[0].z - m[2].z * m[0].y, m[2].z * m[0].x - m[2].x * m[0].z, m[2].x * m[0].y - m[2].y * m[0].x)
        let cofactor2 = SIMD3(m[0].y * m[1].z - m[0].z * m[1].y, m[0].z * m[1].x - m[0].x * m[1].z, m[0].x * m[1].y - m[0].y * m[1].x)
        let det = (m[0] * cofactor0).sum()
        return [cofactor0 / det, cofactor1 / det, cofactor2 / det]
    }()

    /// Optical density of each grey level: -ln((v + 1) / 256).
    static let density: [Float] = (0..<256).map { -Float(log((Double($0) + 1) / 256)) }

    /// Jitters a Caffe datum's pixels: `channels` (3, in Caffe's BGR order) planes of `plane` values each,
    /// channel-major, into `out` (same layout). Other channel counts are copied unchanged.
    public func apply(_ pixels: UnsafePointer<UInt8>, channels: Int, plane: Int, draw: Draw, into out: UnsafeMutablePointer<UInt8>) {
        guard channels == 3 else {
            out.update(from: pixels, count: channels * plane)
            return
        }
        // od' = od + (a_H (h + dh) - h) c_H + (a_E (e + de) - e) c_E, with c = the stain concentrations of od.
        let h = Self.stains[0], e = Self.stains[1], ih = Self.inverse[0], ie = Self.inverse[1]
        let towardH = draw.hematoxylin * (h + draw.hematoxylinShift) - h
        let towardE = draw.eosin * (e + draw.eosinShift) - e
        let shift = SIMD3<Float>(repeating: draw.brightness)
        Self.density.withUnsafeBufferPointer { od in
            let b = pixels, g = pixels + plane, r = pixels + 2 * plane
            for i in 0..<plane {
                let density = SIMD3(od[Int(r[i])], od[Int(g[i])], od[Int(b[i])])
                let changed = density + (density * ih).sum() * towardH + (density * ie).sum() * towardE
                let rgb = SIMD3(256 * expf(-changed.x), 256 * expf(-changed.y), 256 * expf(-changed.z)) - 1 + shift
                let clamped = rgb.rounded(.toNearestOrEven).clamped(lowerBound: SIMD3(repeating: 0), upperBound: SIMD3(repeating: 255))
                out[i] = UInt8(clamped.z)
                out[plane + i] = UInt8(clamped.y)
                out[2 * plane + i] = UInt8(clamped.x)
            }
        }
    }
}
