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
