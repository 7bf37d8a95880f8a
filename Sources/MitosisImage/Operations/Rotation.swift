import Foundation

// Rotation about the image centre with the output cropped to the input size, as MATLAB
// `imrotate(A, angle, method, 'crop')`, which the tutorial applies to every 64x64 patch window.
//
// Conventions (re-derived, and ported independently to numpy in scripts/fixtures/make_image_fixtures.py):
// - the centre is ((n+1)/2) in MATLAB's 1-based coordinates, i.e. ((width-1)/2, (height-1)/2) 0-based,
//   so an even-sized patch turns about the corner shared by its four central pixels;
// - positive angles turn counter-clockwise as displayed (rows growing downwards);
// - each output pixel is pulled from the inverse-rotated position; pixels that fall outside are 0;
// - nearest: MATLAB round() in 1-based coordinates, i.e. floor(x + 0.5) 0-based;
// - bilinear: the four neighbours, missing ones counting as 0 (MATLAB's zero fill), uint8 result rounded.
// Multiples of 90 degrees use exact sines and cosines, so 90/180/270 equal pure array rotations
// (for even/odd mixed sizes at 90/270 the crop then falls on half pixels; such images are not used).
// Departure: exact ties (a source coordinate exactly on .5) may round differently from MATLAB, whose
// affine transform reaches the same point through different floating-point operations.

/// How samples are taken between pixel centres.
public enum Interpolation: Sendable {
    /// The nearest source pixel (MATLAB imrotate's default).
    case nearest
    /// Bilinear blend of the four neighbouring pixels.
    case bilinear
}

/// cos and sin of `degrees`, exact for multiples of 90. Not API.
func _cosSin(degrees: Double) -> (Double, Double) {
    let turns = degrees / 90
    if turns == turns.rounded() {
        switch (Int(turns) % 4 + 4) % 4 {
        case 0: return (1, 0)
        case 1: return (0, 1)
        case 2: return (-1, 0)
        default: return (0, -1)
        }
    }
    let radians = degrees * (Double.pi / 180)
    return (cos(radians), sin(radians))
}

/// Rotates an HWC array of Double-convertible samples; `interpolate` turns four weights into a sample.
/// Not API.
func _rotate<T: _ResampleSample>(_ source: [T], width: Int, height: Int, channels: Int, degrees: Double,
                                 interpolation: Interpolation) -> [T] {
    let (c, s) = _cosSin(degrees: degrees)
    let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
    var output = [T](repeating: T(_resampled: 0), count: source.count)
    output.withUnsafeMutableBufferPointer { target in
        let out = _SharedBuffer(target.baseAddress!)
        _forEachRowChunk(rows: height, costPerRow: width * channels * 8) { rows in
            for y in rows {
                for x in 0..<width {
                    let dx = Double(x) - cx, dy = Double(y) - cy
                    let xs = cx + dx * c - dy * s
                    let ys = cy + dx * s + dy * c
                    let o = (y * width + x) * channels
                    switch interpolation {
                    case .nearest:
                        let xi = Int((xs + 0.5).rounded(.down)), yi = Int((ys + 0.5).rounded(.down))
                        guard xi >= 0, xi < width, yi >= 0, yi < height else { continue }
                        let i = (yi * width + xi) * channels
                        for k in 0..<channels { out.base[o + k] = source[i + k] }
                    case .bilinear:
                        let x0 = xs.rounded(.down), y0 = ys.rounded(.down)
                        let fx = xs - x0, fy = ys - y0
                        let xi = Int(x0), yi = Int(y0)
                        for k in 0..<channels {
                            func at(_ px: Int, _ py: Int) -> Double {
                                guard px >= 0, px < width, py >= 0, py < height else { return 0 }
                                return source[(py * width + px) * channels + k]._double
                            }
                            let top = (1 - fx) * at(xi, yi) + fx * at(xi + 1, yi)
                            let bottom = (1 - fx) * at(xi, yi + 1) + fx * at(xi + 1, yi + 1)
                            out.base[o + k] = T(_resampled: (1 - fy) * top + fy * bottom)
                        }
                    }
                }
            }
        }
    }
    return output
}

extension Image {
    /// Rotated by `degrees` (counter-clockwise) about the centre, same size, zero outside, as MATLAB
    /// `imrotate(A, degrees, method, 'crop')`. Nearest-neighbour is MATLAB's default.
    public func rotated(degrees: Double, interpolation: Interpolation = .nearest) -> Image {
        Image(width: width, height: height, channels: channels,
              pixels: _rotate(pixels, width: width, height: height, channels: channels, degrees: degrees,
                              interpolation: interpolation))
    }
}

extension FloatPlane {
    /// Rotated like `Image.rotated(degrees:interpolation:)`; bilinear results are not rounded.
    public func rotated(degrees: Double, interpolation: Interpolation = .nearest) -> FloatPlane {
        FloatPlane(width: width, height: height,
                   values: _rotate(values, width: width, height: height, channels: 1, degrees: degrees,
                                   interpolation: interpolation))
    }
}

extension Mask {
    /// Rotated like `Image.rotated(degrees:)` with nearest-neighbour sampling; outside is background.
    public func rotated(degrees: Double) -> Mask {
        let bytes = bits.map { $0 ? UInt8(1) : 0 }
        let turned = _rotate(bytes, width: width, height: height, channels: 1, degrees: degrees, interpolation: .nearest)
        return Mask(width: width, height: height, bits: turned.map { $0 != 0 })
    }
}

/// `imrotate(window, degrees, method, 'crop')` of a square window followed by a crop of its central
/// square, as a precomputed table: step 1 cuts millions of patches at a handful of angles, and the source
/// position of every output pixel depends only on the angle and the sizes, not on where the window is.
///
/// `sample` gives exactly what `window.rotated(degrees:interpolation:)` and a central crop give (the same
/// floating-point operations, done once here), at a fraction of the cost: only the kept pixels are
/// computed and nothing is allocated per window.
public struct RotationSampler: Sendable {
    public let degrees: Double
    public let windowSize: Int
    public let outputSize: Int
    public let interpolation: Interpolation
    /// Row length of the images sampled, in pixels (offsets below are bound to it).
    public let rowStride: Int
    public let channels: Int
    /// Per output pixel, per corner (1 for nearest, 4 for bilinear: top-left, top-right, bottom-left,
    /// bottom-right): the sample offset from the window's first sample, or -1 where it is outside the
    /// window (zero fill).
    private let offsets: [Int]
    /// Per output pixel (bilinear only): the fractional source position (fx, fy).
    private let fractions: [(Double, Double)]

    public init(degrees: Double, windowSize: Int, outputSize: Int, interpolation: Interpolation,
                rowStride: Int, channels: Int) {
        precondition(outputSize <= windowSize && (windowSize - outputSize) % 2 == 0, "the output must be the window's central square")
        self.degrees = degrees; self.windowSize = windowSize; self.outputSize = outputSize
        self.interpolation = interpolation; self.rowStride = rowStride; self.channels = channels
        let (c, s) = _cosSin(degrees: degrees)
        let centre = Double(windowSize - 1) / 2
        let inset = (windowSize - outputSize) / 2
        func offset(_ x: Int, _ y: Int) -> Int {
            guard x >= 0, x < windowSize, y >= 0, y < windowSize else { return -1 }
            return (y * rowStride + x) * channels
        }
        var offsets: [Int] = [], fractions: [(Double, Double)] = []
        for y in inset..<(inset + outputSize) {
            for x in inset..<(inset + outputSize) {
                // The same expressions as `_rotate`, so the results agree bit for bit.
                let dx = Double(x) - centre, dy = Double(y) - centre
                let xs = centre + dx * c - dy * s
                let ys = centre + dx * s + dy * c
                switch interpolation {
                case .nearest:
                    offsets.append(offset(Int((xs + 0.5).rounded(.down)), Int((ys + 0.5).rounded(.down))))
                case .bilinear:
                    let x0 = xs.rounded(.down), y0 = ys.rounded(.down)
                    let xi = Int(x0), yi = Int(y0)
                    offsets += [offset(xi, yi), offset(xi + 1, yi), offset(xi, yi + 1), offset(xi + 1, yi + 1)]
                    fractions.append((xs - x0, ys - y0))
                }
            }
        }
        self.offsets = offsets
        self.fractions = fractions
    }

    /// The rotated central square of the `windowSize` window whose top-left pixel is (`left`, `top`) in
    /// `image`, row-major with interleaved channels. The window must lie inside the image, whose width and
    /// channels must be the sampler's `rowStride` and `channels`.
    public func sample(_ image: Image, left: Int, top: Int) -> [UInt8] {
        precondition(image.width == rowStride && image.channels == channels, "the sampler was built for another image geometry")
        precondition(left >= 0 && top >= 0 && left + windowSize <= image.width && top + windowSize <= image.height,
                     "the window leaves the image")
        let n = outputSize * outputSize, ch = channels
        return [UInt8](unsafeUninitializedCapacity: n * ch) { out, count in
            image.pixels.withUnsafeBufferPointer { src in
                offsets.withUnsafeBufferPointer { off in
                    let base = (top * rowStride + left) * ch
                    switch interpolation {
                    case .nearest:
                        for i in 0..<n {
                            let o = off[i]
                            for k in 0..<ch { out[i * ch + k] = o < 0 ? 0 : src[base + o + k] }
                        }
                    case .bilinear:
                        for i in 0..<n {
                            let (fx, fy) = fractions[i]
                            for k in 0..<ch {
                                func at(_ corner: Int) -> Double {
                                    let o = off[4 * i + corner]
                                    return o < 0 ? 0 : Double(src[base + o + k])
                                }
                                let upper = (1 - fx) * at(0) + fx * at(1)
                                let lower = (1 - fx) * at(2) + fx * at(3)
                                out[i * ch + k] = UInt8(_resampled: (1 - fy) * upper + fy * lower)
                            }
                        }
                    }
                }
            }
            count = n * ch
        }
    }
}
