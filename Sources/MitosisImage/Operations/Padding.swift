// Symmetric padding: MATLAB `padarray(A, [n n], 'symmetric')` / numpy `np.pad(a, n, mode='symmetric')`.
// The edge pixel is repeated: padding [a b c] by 2 gives [b a | a b c | c b]. Step 1 of the tutorial pads
// every resized image and mask by 32 this way; step 5 pads by 16. Padding wider than the image keeps
// reflecting (period 2n), as both MATLAB and numpy do.

/// Pads an HWC array symmetrically by `n` on all four sides. Not API.
func _padSymmetric<T>(_ source: [T], width: Int, height: Int, channels: Int, by n: Int) -> [T] {
    precondition(n >= 0, "padding must be non-negative")
    precondition(width > 0 && height > 0 || n == 0, "cannot pad an empty image")
    let outWidth = width + 2 * n, outHeight = height + 2 * n
    var output: [T] = []
    output.reserveCapacity(outWidth * outHeight * channels)
    let columns = (0..<outWidth).map { _mirror($0 - n, width) }
    for y in 0..<outHeight {
        let row = _mirror(y - n, height) * width
        for x in columns {
            let i = (row + x) * channels
            output.append(contentsOf: source[i..<i + channels])
        }
    }
    return output
}

extension Image {
    /// Padded by `n` pixels on every side by mirroring with the edge pixel repeated (MATLAB 'symmetric').
    public func paddedSymmetric(by n: Int) -> Image {
        Image(width: width + 2 * n, height: height + 2 * n, channels: channels,
              pixels: _padSymmetric(pixels, width: width, height: height, channels: channels, by: n))
    }
}

extension FloatPlane {
    /// Padded by `n` on every side by mirroring with the edge value repeated (MATLAB 'symmetric').
    public func paddedSymmetric(by n: Int) -> FloatPlane {
        FloatPlane(width: width + 2 * n, height: height + 2 * n,
                   values: _padSymmetric(values, width: width, height: height, channels: 1, by: n))
    }
}

extension Mask {
    /// Padded by `n` on every side by mirroring with the edge pixel repeated (MATLAB 'symmetric').
    public func paddedSymmetric(by n: Int) -> Mask {
        Mask(width: width + 2 * n, height: height + 2 * n,
             bits: _padSymmetric(bits, width: width, height: height, channels: 1, by: n))
    }
}
