import MitosisSupport

/// Sampling helpers of the synthetic cohort on the shared generator (`MitosisSupport.SplitMix64`).
extension SplitMix64 {
    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform in [lo, hi) as `Float`.
    public mutating func uniformf(_ lo: Float, _ hi: Float) -> Float { Float(uniform(Double(lo), Double(hi))) }

    /// Uniform integer in `0 ..< n` (`n > 0`).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "empty range")
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform integer in the closed range.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// `true` with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal (Box-Muller, one value per call).
    public mutating func normal() -> Double {
        let u = max(unit(), 0x1p-53)
        let v = unit()
        return (-2 * _log(u)).squareRoot() * _cos(2 * .pi * v)
    }

    /// Poisson-distributed count with mean `lambda` (Knuth's product method below 30, normal above).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
        let limit = _exp(-lambda)
        var k = 0
        var p = unit()
        while p > limit { k += 1; p *= unit() }
        return k
    }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(below: items.count)] }
}
