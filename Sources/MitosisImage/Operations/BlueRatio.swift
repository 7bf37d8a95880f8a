// The blue-ratio transform used by the tutorial (and Chang et al.) to find hematoxylin-rich nuclei:
//   BR = (100 * B / (1 + R + G)) * (256 / (1 + R + G + B)),  R, G, B in 0...255.
// High where blue dominates and the pixel is dark; the tutorial thresholds it (Otsu) and dilates the result
// to build the `_cmask` candidate mask.

extension Image {
    /// The blue ratio of every pixel, computed in Float from the 0...255 samples (RGB or RGBA; alpha ignored).
    /// Values lie in 0 ... 25600 (pure blue gives 100 * 255 * 256 / 256 = 25500 ... at B = 255, R = G = 0).
    public func blueRatio() -> FloatPlane {
        precondition(channels >= 3, "blue ratio needs an RGB or RGBA image")
        var values = [Float](repeating: 0, count: width * height)
        let c = channels, w = width
        pixels.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                let out = _SharedBuffer(target.baseAddress!)
                _forEachRowChunk(rows: height, costPerRow: width * 8) { rows in
                    for i in rows.lowerBound * w..<rows.upperBound * w {
                        let r = Float(source[i * c]), g = Float(source[i * c + 1]), b = Float(source[i * c + 2])
                        out.base[i] = (100 * b / (1 + r + g)) * (256 / (1 + r + g + b))
                    }
                }
            }
        }
        return FloatPlane(width: width, height: height, values: values)
    }
}
