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
        let sorted = values.sorted()
        let position = percent / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        let fraction = Float(position - Double(lower))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// The mask of values strictly greater than `threshold`.
    public func mask(above threshold: Float) -> Mask {
        Mask(width: width, height: height, bits: values.map { $0 > threshold })
    }
}
