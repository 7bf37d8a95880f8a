import MitosisSupport
import MitosisImage

/// How one patient's slides took the stain and how the scanner saw them.
///
/// Stain vectors are optical density per unit stain in R, G, B (unit length). The defaults are close to
/// what Macenko's method estimates on real breast-carcinoma H&E (hematoxylin absorbs red and green and
/// lets blue through, hence blue-purple; eosin absorbs mostly green, hence pink).
public struct StainProfile: Sendable, Equatable {
    /// Hematoxylin optical density vector (R, G, B), unit length.
    public var hematoxylin: SIMD3<Float>
    /// Eosin optical density vector (R, G, B), unit length.
    public var eosin: SIMD3<Float>
    /// Multiplier of all hematoxylin amounts (staining time, stain age).
    public var hematoxylinStrength: Float
    /// Multiplier of all eosin amounts.
    public var eosinStrength: Float
    /// Background (glass) brightness per channel, 0...255.
    public var white: SIMD3<Float>
    /// Passes of the 3x3 box blur applied to the stain planes (scanner focus); 1 or 2.
    public var blurPasses: Int
    /// Standard deviation of the sensor noise, grey levels.
    public var noise: Float

    /// The central profile around which patients vary.
    public static let reference = StainProfile(
        hematoxylin: normalized(SIMD3(0.58, 0.74, 0.34)),
        eosin: normalized(SIMD3(0.13, 0.86, 0.47)),
        hematoxylinStrength: 1, eosinStrength: 1,
        white: SIMD3(246, 242, 245), blurPasses: 1, noise: 2.5)

    /// A random variation of `reference`: the kind of spread seen between slides of one lab.
    static func random(_ rng: inout SplitMix64) -> StainProfile {
        var p = reference
        func jitter(_ v: SIMD3<Float>, _ amount: Double) -> SIMD3<Float> {
            normalized(v + SIMD3(Float(rng.normal() * amount), Float(rng.normal() * amount),
                                 Float(rng.normal() * amount)))
        }
        p.hematoxylin = jitter(p.hematoxylin, 0.05)
        p.eosin = jitter(p.eosin, 0.05)
        p.hematoxylinStrength = Float(rng.uniform(0.8, 1.25))
        p.eosinStrength = Float(rng.uniform(0.7, 1.3))
        let level = Float(rng.uniform(232, 252))
        p.white = SIMD3(min(level + Float(rng.uniform(-3, 3)), 255), min(level + Float(rng.uniform(-5, 1)), 255),
                        min(level + Float(rng.uniform(-3, 3)), 255))
        p.blurPasses = rng.chance(0.35) ? 2 : 1
        p.noise = Float(rng.uniform(1.5, 3.5))
        return p
    }

    static func normalized(_ v: SIMD3<Float>) -> SIMD3<Float> {
        let v = SIMD3(max(v.x, 0.01), max(v.y, 0.01), max(v.z, 0.01))
        return v / (v * v).sum().squareRoot()
    }
}

/// Beer-Lambert conversion of stain planes to 8-bit RGB: `I = white * exp(-(h * H + e * E))` per channel,
/// plus sensor noise. `exp` is tabulated (1/512 OD steps, < 0.3 grey level error).
enum Absorption {
    private static let step: Float = 512
    private static let table: [Float] = (0..<(8 * 512 + 2)).map { _expf(-Float($0) / 512) }

    static func render(_ canvas: DensityCanvas, stain: StainProfile, rng: inout SplitMix64) -> Image {
        let n = canvas.width * canvas.height
        var pixels = [UInt8](repeating: 0, count: n * 3)
        let hv = stain.hematoxylin * stain.hematoxylinStrength * step
        let ev = stain.eosin * stain.eosinStrength * step
        let white = stain.white
        // Sensor noise: a cheap xorshift stream; the sum of two uniforms is a triangular approximation of a
        // Gaussian with the profile's standard deviation (sd of u1 + u2 - 1 is 1/sqrt(6)).
        var state = rng.next() | 1
        let noiseScale = stain.noise * 2.449_49 / 4_294_967_296
        let limit = Float(table.count - 2)
        table.withUnsafeBufferPointer { lut in
            canvas.h.withUnsafeBufferPointer { hp in
                canvas.e.withUnsafeBufferPointer { ep in
                    pixels.withUnsafeMutableBufferPointer { out in
                        for i in 0..<n {
                            let hh = max(hp[i], 0), ee = max(ep[i], 0)
                            let od = hv * hh + ev * ee
                            for c in 0..<3 {
                                let t = min(od[c], limit)
                                let k = Int(t)
                                let f = t - Float(k)
                                let transmitted = lut[k] + (lut[k + 1] - lut[k]) * f
                                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                                let u = Float(UInt32(truncatingIfNeeded: state)) + Float(UInt32(state >> 32))
                                let v = white[c] * transmitted + (u - 4_294_967_296) * noiseScale
                                out[i * 3 + c] = UInt8(clamp(v.rounded(), 0, 255))
                            }
                        }
                    }
                }
            }
        }
        return Image(width: canvas.width, height: canvas.height, channels: 3, pixels: pixels)
    }
}
