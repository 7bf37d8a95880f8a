/// The one seeded generator behind every random choice of mitosis (SplitMix64, Steele, Lea & Flood 2014):
/// cohorts, folds, patch sampling, database shuffles, fillers, dropout. Its whole state is one `UInt64`, so a
/// seed reproduces a run and saving `state` resumes one. The helpers are written out here rather than taken
/// from the standard library (`random(in:using:)`, `shuffle(using:)`), whose algorithms are not promised to
/// stay fixed across Swift releases: the same seed gives the same files on any platform, release and thread
/// count.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The full generator state.
    public var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// A generator for one item of a hierarchy (`seed`, then e.g. patient, image, purpose), so items can be
    /// produced independently and in any order.
    public init(seed: UInt64, _ keys: UInt64...) {
        var s = SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for key in keys { s = SplitMix64.mix(s ^ SplitMix64.mix(key &+ 0xD1B5_4A32_D192_ED03)) }
        state = s
    }

    /// A generator for one work item (an image, a fold), independent of the order items are processed in.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next() ^ stream
    }

    /// A stable stream id for a string (FNV-1a), e.g. an image name.
    public static func stream(_ name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function (a bijective 64-bit mixer).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in `0 ..< n` (`n > 0`): the high word of a 64x64-bit product (bias below 2^-64 * n).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "empty range")
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Fisher-Yates shuffle, last element first, each swap partner from `int(below:)`.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            if i != j { items.swapAt(i, j) }
        }
    }

    /// `items` in a shuffled order (see `shuffle(_:)`).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var copy = items
        shuffle(&copy)
        return copy
    }
}
