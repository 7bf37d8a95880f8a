/// A small deterministic random generator (SplitMix64) whose whole state is one `UInt64`.
///
/// All randomness in MitosisNN (fillers, dropout masks) comes from one of these, so a seed reproduces a run
/// and saving `state` is enough to resume one. The numbers are not Caffe's.
@_exported import struct MitosisSupport.SplitMix64

public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    public mutating func nextUniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// Normal(mean, std) by Box-Muller (one value per call; simple rather than fast).
    public mutating func nextGaussian(mean: Float = 0, std: Float = 1) -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * _log(max(u1, .leastNormalMagnitude))).squareRoot()
        return mean + std * Float(radius * _cos(2 * Double.pi * u2))
    }
}

/// A generator shared by reference between a net and its layers, so one saved state covers them all.
public final class RandomSource {
    /// The shared generator; assign to reseed or restore.
    public var generator: SeededGenerator
    /// A source seeded with `seed`.
    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
}
