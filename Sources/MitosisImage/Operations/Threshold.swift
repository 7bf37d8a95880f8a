// Global thresholds for float planes (blue ratio, probabilities).

extension FloatPlane {
    /// Otsu's threshold, computed as MATLAB `graythresh` does on a plane rescaled to its own range:
    /// values map to 256 bins by `round(255 * (v - min) / (max - min))`; the bin k maximising the
    /// between-class variance (classes `<= k` and `> k`; the mean of all maximising k on ties) gives the
    /// threshold `min + k / 255 * (max - min)`. Foreground is `value > threshold` (see `mask(above:)`).
    /// A constant plane returns its value. Non-finite values are ignored.
    public func otsuThreshold() -> Float {
        let finite = values.filter { $0.isFinite }
        guard let low = finite.min(), let high = finite.max(), high > low else { return finite.first ?? 0 }
        var histogram = [Double](repeating: 0, count: 256)
        let span = Double(high) - Double(low)
        for v in finite { histogram[Int((255 * (Double(v) - Double(low)) / span).rounded())] += 1 }
        let total = Double(finite.count)
        let grandMean = histogram.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element } / total
        // MATLAB: sigma_b^2 = (mu_t * omega - mu)^2 / (omega * (1 - omega)); k = mean of all argmax.
        var omega = 0.0, mu = 0.0
        var between = [Double](repeating: -.infinity, count: 256)
        for k in 0..<256 {
            omega += histogram[k] / total
            mu += Double(k) * histogram[k] / total
            guard omega > 0, omega < 1 else { continue }
            between[k] = (grandMean * omega - mu) * (grandMean * omega - mu) / (omega * (1 - omega))
        }
        let best = between.max()!
        let winners = (0..<256).filter { between[$0] == best }
        let k = Double(winners.reduce(0, +)) / Double(winners.count)
        return Float(Double(low) + k / 255 * span)
    }

    /// The value below which `percent` % of the values lie, linearly interpolated between order statistics
    /// as numpy's default `np.percentile(v, percent)`: position `percent / 100 * (n - 1)` in sorted order.
    public func percentile(_ percent: Double) -> Float {
        precondition((0...100).contains(percent) && !values.isEmpty, "percentile needs 0...100 and values")
        // Two order statistics by selection (linear time) instead of a full sort: the same values.
        var v = values
        let position = percent / 100 * Double(v.count - 1)
        let lower = Int(position.rounded(.down))
        let low = Self.select(&v, lower)
        // After selecting, everything right of `lower` is >= v[lower]: the next order statistic is their minimum.
        let high = lower + 1 < v.count ? v[(lower + 1)...].min()! : low
        return low + (high - low) * Float(position - Double(lower))
    }

    /// Puts the `k`-th smallest value (0-based) at index k, smaller-or-equal values before it and
    /// greater-or-equal after it (Hoare's selection with a median-of-three pivot), and returns it.
    static func select(_ v: inout [Float], _ k: Int) -> Float {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while pivot < v[j] { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return v[k]
    }

    /// The mask of values strictly greater than `threshold`.
    public func mask(above threshold: Float) -> Mask {
        Mask(width: width, height: height, bits: values.map { $0 > threshold })
    }
}
