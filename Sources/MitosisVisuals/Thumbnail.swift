import MitosisImage

extension Image {
    /// A copy whose longer side is at most `maxSide`, by area averaging (each output pixel is the mean of
    /// the input pixels it covers, fractional at its edges). Images already small enough are returned as is.
    ///
    /// The scale of the result is `Double(thumb.width) / Double(width)` (pass it to `Overlay.draw`).
    public func thumbnail(maxSide: Int) -> Image {
        precondition(maxSide > 0, "maxSide must be positive")
        guard max(width, height) > maxSide, width > 0, height > 0 else { return self }
        let s = Double(maxSide) / Double(max(width, height))
        let w = max(1, Int((Double(width) * s).rounded())), h = max(1, Int((Double(height) * s).rounded()))
        let wx = _areaWeights(from: width, to: w), wy = _areaWeights(from: height, to: h)
        // Horizontal pass into Double rows, then vertical.
        var rows = [Double](repeating: 0, count: height * w * channels)
        for y in 0..<height {
            for (ox, taps) in wx.enumerated() {
                for c in 0..<channels {
                    var acc = 0.0
                    for (ix, weight) in taps { acc += weight * Double(pixels[(y * width + ix) * channels + c]) }
                    rows[(y * w + ox) * channels + c] = acc
                }
            }
        }
        var out = [UInt8](repeating: 0, count: w * h * channels)
        for (oy, taps) in wy.enumerated() {
            for i in 0..<(w * channels) {
                var acc = 0.0
                for (iy, weight) in taps { acc += weight * rows[iy * w * channels + i] }
                out[oy * w * channels + i] = UInt8(max(0, min(255, acc.rounded())))
            }
        }
        return Image(width: w, height: h, channels: channels, pixels: out)
    }
}

/// For each of `m` output cells, the input indices it covers and their weights (summing to 1).
private func _areaWeights(from n: Int, to m: Int) -> [[(Int, Double)]] {
    let step = Double(n) / Double(m)
    return (0..<m).map { o in
        let a = Double(o) * step, b = Double(o + 1) * step
        var taps: [(Int, Double)] = []
        for i in Int(a)..<min(n, Int(b.rounded(.up))) {
            let overlap = min(b, Double(i + 1)) - max(a, Double(i))
            if overlap > 0 { taps.append((i, overlap / step)) }
        }
        return taps
    }
}
