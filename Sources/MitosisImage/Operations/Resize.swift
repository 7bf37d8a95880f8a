// Bicubic resampling exactly as MATLAB's `imresize(A, scale)` / `imresize(A, [rows cols])` (default method
// 'bicubic', 'Antialiasing' true), which the tutorial uses to bring 40x images to 20x (scale 0.5).
//
// MATLAB's algorithm, re-implemented here (and independently in numpy by
// scripts/fixtures/make_image_fixtures.py, whose outputs the tests compare against):
// - per dimension, output sample k (1-based) maps to input position u = k/scale + 0.5*(1 - 1/scale);
// - the Keys cubic kernel with a = -0.5 and support 4; when shrinking, it is stretched to h(x) = s*k(s*x)
//   with support 4/s (the antialiasing);
// - taps are left = floor(u - width/2) ... left + ceil(width) + 1, weights normalised to sum 1;
// - indices outside 1...n are mirrored with the edge sample repeated (aux = [1:n, n:-1:1]);
// - the dimension with the smaller scale is resized first (rows first on a tie);
// - uint8 images are rounded (half away from zero) and clamped after *each* pass, as MATLAB's
//   `imresizemex` returns the input class; FloatPlane passes are accumulated in Double and stored as Float.
// Departure: MATLAB drops all-zero weight columns; they contribute exact zeros here, so results agree.
// uint8 images with rows first (equal scales included) take the faster, bit-identical path of
// `ResizeFused.swift`; the passes below are its reference and serve the other cases.

/// One dimension's resampling table: `taps` input indices and weights per output sample. Not API.
struct _Contributions {
    let outputLength: Int
    let taps: Int
    /// `outputLength * taps` weights, row-major by output sample.
    let weights: [Double]
    /// `outputLength * taps` 0-based input indices, already mirrored into range.
    let indices: [Int]

    init(inputLength n: Int, outputLength: Int, scale: Double) {
        self.init(inputLength: n, outputs: 0..<outputLength, scale: scale, inputOrigin: 0)
    }

    /// The table of output samples `outputs` of the resize of a length-`n` signal, with indices relative to
    /// `inputOrigin` (a window of the signal that starts there): the window's resize gives exactly those
    /// outputs of the whole's. Indices are mirrored at the whole signal's ends, not the window's.
    init(inputLength n: Int, outputs: Range<Int>, scale: Double, inputOrigin: Int) {
        let outputLength = outputs.count
        let shrink = scale < 1
        let width = shrink ? 4.0 / scale : 4.0
        let taps = Int(width.rounded(.up)) + 2
        var weights = [Double](repeating: 0, count: outputLength * taps)
        var indices = [Int](repeating: 0, count: outputLength * taps)
        for k in 0..<outputLength {
            let u = Double(outputs.lowerBound + k + 1) / scale + 0.5 * (1 - 1 / scale)
            let left = (u - width / 2).rounded(.down)
            var sum = 0.0
            for j in 0..<taps {
                let index = left + Double(j)
                let w = shrink ? scale * _cubic(scale * (u - index)) : _cubic(u - index)
                weights[k * taps + j] = w
                sum = j == 0 ? w : sum + w
                indices[k * taps + j] = _mirror(Int(index) - 1, n) - inputOrigin
            }
            for j in 0..<taps { weights[k * taps + j] = weights[k * taps + j] / sum }
        }
        self.outputLength = outputLength
        self.taps = taps
        self.weights = weights
        self.indices = indices
        // The taps between the first and the last non-zero weight of each output: the zero weights at the
        // ends add exact zeros to sums that start at +0 (so never -0), and MATLAB drops them too.
        var spans = [Range<Int>](repeating: 0..<0, count: outputLength)
        var reach = [Int](repeating: 0, count: outputLength)
        for k in 0..<outputLength {
            let row = weights[(k * taps)..<((k + 1) * taps)]
            if let first = row.firstIndex(where: { $0 != 0 }), let last = row.lastIndex(where: { $0 != 0 }) {
                spans[k] = (first - k * taps)..<(last - k * taps + 1)
                reach[k] = indices[first...last].max()!
            }
        }
        self.spans = spans
        self.reach = reach
    }

    /// Per output sample, the taps from its first to its last non-zero weight.
    let spans: [Range<Int>]
    /// Per output sample, the largest input index its `spans` taps read (0 for an empty span).
    let reach: [Int]
}

/// Keys' cubic convolution kernel with a = -0.5 (MATLAB's `cubic`). Not API.
@inline(__always)
func _cubic(_ x: Double) -> Double {
    let ax = abs(x), ax2 = ax * ax, ax3 = ax2 * ax
    if ax <= 1 { return 1.5 * ax3 - 2.5 * ax2 + 1 }
    if ax <= 2 { return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 }
    return 0
}

/// Maps any integer index onto 0..<n by mirroring with the edge repeated (MATLAB 'symmetric',
/// numpy mode='symmetric'): ... 1 0 | 0 1 ... n-1 | n-1 n-2 ... Not API.
@inline(__always)
func _mirror(_ i: Int, _ n: Int) -> Int {
    let period = 2 * n
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - 1 - m
}

/// A sample type the resampler reads as Double and stores back (uint8: rounded half away from zero and
/// clamped to 0...255, as MATLAB's uint8 arithmetic; Float: nearest Float). Not API.
protocol _ResampleSample {
    var _double: Double { get }
    init(_resampled value: Double)
    /// Four consecutive samples from `p`, as Double.
    static func _load4(_ p: UnsafePointer<Self>) -> SIMD4<Double>
}

extension UInt8: _ResampleSample {
    @inline(__always) var _double: Double { Double(self) }
    @inline(__always) static func _load4(_ p: UnsafePointer<UInt8>) -> SIMD4<Double> {
        SIMD4<Double>(SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt8>.self)))
    }
    /// Half away from zero as `rounded()`, without libm's `round` (a call on baseline x86-64): for
    /// v >= 0, `v - floor(v)` is exact, and truncation is the floor.
    @inline(__always) init(_resampled value: Double) {
        let v = Swift.min(Swift.max(value, 0), 255)
        let whole = Int(v)
        self = UInt8(truncatingIfNeeded: v - Double(whole) >= 0.5 ? whole + 1 : whole)
    }
}

extension Float: _ResampleSample {
    @inline(__always) var _double: Double { Double(self) }
    @inline(__always) static func _load4(_ p: UnsafePointer<Float>) -> SIMD4<Double> {
        SIMD4<Double>(UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self))
    }
    @inline(__always) init(_resampled value: Double) { self = Float(value) }
}

/// Resamples the vertical dimension of an HWC array (`rowLength` = width * channels samples per row).
/// Each output sample is the sum over its taps, in order, from +0, of weight x sample in Double: four
/// samples of a row at a time, their sums in registers while the taps go by. Not API.
func _resampleVertically<T: _ResampleSample>(_ input: [T], rowLength: Int, table: _Contributions) -> [T] {
    var output = [T](repeating: T(_resampled: 0), count: table.outputLength * rowLength)
    let taps = table.taps
    input.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
            let out = _SharedBuffer(target.baseAddress!)
            _forEachRowChunk(rows: table.outputLength, costPerRow: rowLength * taps) { rows in
                let rowsIn = UnsafeMutablePointer<UnsafePointer<T>>.allocate(capacity: taps)
                let w = UnsafeMutablePointer<Double>.allocate(capacity: taps)
                defer { rowsIn.deallocate(); w.deallocate() }
                for k in rows {
                    let span = table.spans[k], n = span.count
                    for (t, j) in span.enumerated() {
                        w[t] = table.weights[k * taps + j]
                        rowsIn[t] = source.baseAddress! + table.indices[k * taps + j] * rowLength
                    }
                    let target = out.base + k * rowLength
                    var i = 0
                    while i + 4 <= rowLength {
                        var acc = SIMD4<Double>(repeating: 0)
                        for t in 0..<n { acc += SIMD4<Double>(repeating: w[t]) * T._load4(rowsIn[t] + i) }
                        target[i] = T(_resampled: acc[0]); target[i + 1] = T(_resampled: acc[1])
                        target[i + 2] = T(_resampled: acc[2]); target[i + 3] = T(_resampled: acc[3])
                        i += 4
                    }
                    while i < rowLength {
                        var acc = 0.0
                        for t in 0..<n { acc += w[t] * rowsIn[t][i]._double }
                        target[i] = T(_resampled: acc)
                        i += 1
                    }
                }
            }
        }
    }
    return output
}

/// Resamples the horizontal dimension of an HWC array with `rows` rows and `channels` channels. Not API.
func _resampleHorizontally<T: _ResampleSample>(_ input: [T], rows: Int, width: Int, channels: Int,
                                               table: _Contributions) -> [T] {
    let outWidth = table.outputLength, taps = table.taps
    var output = [T](repeating: T(_resampled: 0), count: rows * outWidth * channels)
    input.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
            let out = _SharedBuffer(target.baseAddress!)
            _forEachRowChunk(rows: rows, costPerRow: outWidth * channels * taps) { range in
                for y in range {
                    let rowIn = y * width * channels, rowOut = y * outWidth * channels
                    if channels == 3 {
                        // The three channels in one pass over the taps (the same sums in the same order), as
                        // lanes 0-2 of four-sample loads where the fourth sample is still inside the input.
                        let base = source.baseAddress!
                        for k in 0..<outWidth {
                            let span = table.spans[k]
                            if rowIn + table.reach[k] * 3 + 4 <= source.count {
                                var acc = SIMD4<Double>(repeating: 0)
                                for j in span {
                                    acc += SIMD4<Double>(repeating: table.weights[k * taps + j])
                                        * T._load4(base + rowIn + table.indices[k * taps + j] * 3)
                                }
                                out.base[rowOut + k * 3] = T(_resampled: acc[0])
                                out.base[rowOut + k * 3 + 1] = T(_resampled: acc[1])
                                out.base[rowOut + k * 3 + 2] = T(_resampled: acc[2])
                                continue
                            }
                            var a0 = 0.0, a1 = 0.0, a2 = 0.0
                            for j in span {
                                let w = table.weights[k * taps + j], at = rowIn + table.indices[k * taps + j] * 3
                                a0 += w * source[at]._double
                                a1 += w * source[at + 1]._double
                                a2 += w * source[at + 2]._double
                            }
                            out.base[rowOut + k * 3] = T(_resampled: a0)
                            out.base[rowOut + k * 3 + 1] = T(_resampled: a1)
                            out.base[rowOut + k * 3 + 2] = T(_resampled: a2)
                        }
                        continue
                    }
                    for k in 0..<outWidth {
                        for c in 0..<channels {
                            var acc = 0.0
                            for j in table.spans[k] {
                                let x = table.indices[k * taps + j]
                                acc += table.weights[k * taps + j] * source[rowIn + x * channels + c]._double
                            }
                            out.base[rowOut + k * channels + c] = T(_resampled: acc)
                        }
                    }
                }
            }
        }
    }
    return output
}

/// The rows pass then the columns pass, in Double: the reference of the fused uint8 path
/// (`ResizeFused.swift`) and what rows-first resizes of other types run. Not API.
func _resampleRowsFirst<T: _ResampleSample>(_ data: [T], width: Int, channels: Int, vertical: _Contributions,
                                            horizontal: _Contributions) -> [T] {
    let tall = _resampleVertically(data, rowLength: width * channels, table: vertical)
    return _resampleHorizontally(tall, rows: vertical.outputLength, width: width, channels: channels, table: horizontal)
}

/// MATLAB `imresize` on an HWC array: the smaller-scale dimension first (rows on a tie). Not API.
func _imresize<T: _ResampleSample>(_ data: [T], height: Int, width: Int, channels: Int, outHeight: Int,
                                   outWidth: Int, scaleY: Double, scaleX: Double) -> [T] {
    let vertical = _Contributions(inputLength: height, outputLength: outHeight, scale: scaleY)
    let horizontal = _Contributions(inputLength: width, outputLength: outWidth, scale: scaleX)
    if scaleY <= scaleX {
        guard T.self == UInt8.self else { return _resampleRowsFirst(data, width: width, channels: channels, vertical: vertical, horizontal: horizontal) }
        let bytes = unsafeBitCast(data, to: [UInt8].self)
        return unsafeBitCast(_resizeRowsFirstUInt8(bytes, width: width, channels: channels, vertical: vertical, horizontal: horizontal),
                             to: [T].self)
    }
    let wide = _resampleHorizontally(data, rows: height, width: width, channels: channels, table: horizontal)
    return _resampleVertically(wide, rowLength: outWidth * channels, table: vertical)
}

/// Validates a resize request and returns the output size and per-axis scales. Not API.
func _resizeGeometry(width: Int, height: Int, scale: Double?, outWidth: Int?, outHeight: Int?) throws
    -> (width: Int, height: Int, scaleX: Double, scaleY: Double) {
    guard width > 0, height > 0 else { throw ImageError.invalidArgument("cannot resize an empty image") }
    if let scale {
        guard scale.isFinite, scale > 0 else { throw ImageError.invalidArgument("resize scale \(scale) must be > 0") }
        // MATLAB: output size = ceil(scale * input size); the given scale (not the size ratio) is used.
        let w = Int((scale * Double(width)).rounded(.up)), h = Int((scale * Double(height)).rounded(.up))
        return (w, h, scale, scale)
    }
    guard let outWidth, let outHeight, outWidth > 0, outHeight > 0 else {
        throw ImageError.invalidArgument("resize target size must be positive")
    }
    return (outWidth, outHeight, Double(outWidth) / Double(width), Double(outHeight) / Double(height))
}

extension Image {
    /// Resized by `scale` (0.5 halves) exactly as MATLAB `imresize(A, scale)`: bicubic with antialiasing,
    /// output `ceil(scale * height) x ceil(scale * width)`, uint8 rounded and clamped after each pass.
    /// - Throws: `ImageError.invalidArgument` for a non-positive scale or an empty image.
    public func resized(scale: Double) throws -> Image {
        let g = try _resizeGeometry(width: width, height: height, scale: scale, outWidth: nil, outHeight: nil)
        return Image(width: g.width, height: g.height, channels: channels,
                     pixels: _imresize(pixels, height: height, width: width, channels: channels, outHeight: g.height,
                                       outWidth: g.width, scaleY: g.scaleY, scaleX: g.scaleX))
    }

    /// Resized to `width x height` as MATLAB `imresize(A, [height width])` (per-axis scale = new/old).
    /// - Throws: `ImageError.invalidArgument` for a non-positive size or an empty image.
    public func resized(width newWidth: Int, height newHeight: Int) throws -> Image {
        let g = try _resizeGeometry(width: width, height: height, scale: nil, outWidth: newWidth, outHeight: newHeight)
        return Image(width: g.width, height: g.height, channels: channels,
                     pixels: _imresize(pixels, height: height, width: width, channels: channels, outHeight: g.height,
                                       outWidth: g.width, scaleY: g.scaleY, scaleX: g.scaleX))
    }
}

extension Image {
    /// `resized(scale:)` by the Double passes alone: the reference of the fused uint8 path, for its benchmark
    /// (`resize-bench`).
    @_spi(Benchmarks) public func _resizedByDoublePasses(scale: Double) throws -> Image {
        let g = try _resizeGeometry(width: width, height: height, scale: scale, outWidth: nil, outHeight: nil)
        let vertical = _Contributions(inputLength: height, outputLength: g.height, scale: scale)
        let horizontal = _Contributions(inputLength: width, outputLength: g.width, scale: scale)
        return Image(width: g.width, height: g.height, channels: channels,
                     pixels: _resampleRowsFirst(pixels, width: width, channels: channels, vertical: vertical, horizontal: horizontal))
    }
}

extension FloatPlane {
    /// Resized by `scale` as MATLAB `imresize` on a `single` array (bicubic, antialiased; each pass
    /// accumulates in Double and stores Float; no clamping).
    /// - Throws: `ImageError.invalidArgument` for a non-positive scale or an empty plane.
    public func resized(scale: Double) throws -> FloatPlane {
        let g = try _resizeGeometry(width: width, height: height, scale: scale, outWidth: nil, outHeight: nil)
        return FloatPlane(width: g.width, height: g.height,
                          values: _imresize(values, height: height, width: width, channels: 1, outHeight: g.height,
                                            outWidth: g.width, scaleY: g.scaleY, scaleX: g.scaleX))
    }

    /// Resized to `width x height` as MATLAB `imresize(A, [height width])`.
    /// - Throws: `ImageError.invalidArgument` for a non-positive size or an empty plane.
    public func resized(width newWidth: Int, height newHeight: Int) throws -> FloatPlane {
        let g = try _resizeGeometry(width: width, height: height, scale: nil, outWidth: newWidth, outHeight: newHeight)
        return FloatPlane(width: g.width, height: g.height,
                          values: _imresize(values, height: height, width: width, channels: 1, outHeight: g.height,
                                            outWidth: g.width, scaleY: g.scaleY, scaleX: g.scaleX))
    }
}

/// A window of MATLAB `imresize(A, scale)` computed from a window of `A`: what tiles of a whole slide use,
/// so that a slide resized tile by tile equals the slide resized in one piece, bit for bit.
public enum ResizeWindow {
    /// Input samples (0-based, of the whole signal of length `inputLength`) that outputs `outputs` of the
    /// resize by `scale` read; mirrored taps at the signal's ends fall inside it.
    public static func inputRange(outputs: Range<Int>, inputLength: Int, scale: Double) -> Range<Int> {
        guard !outputs.isEmpty else { return 0..<0 }
        let table = _Contributions(inputLength: inputLength, outputs: outputs, scale: scale, inputOrigin: 0)
        return table.indices.min()!..<(table.indices.max()! + 1)
    }

    /// Output size of the whole resize: `ceil(scale * n)`, as `Image.resized(scale:)`.
    public static func outputLength(_ n: Int, scale: Double) -> Int { Int((scale * Double(n)).rounded(.up)) }

    /// Rows `rows` and columns `columns` of `wholeImage.resized(scale:)`, where `window` holds the whole
    /// image's pixels from (`origin.x`, `origin.y`) and covers `inputRange` of both axes.
    /// - Throws: `ImageError.invalidArgument` when the window does not cover what the outputs read.
    public static func resized(_ window: Image, origin: (x: Int, y: Int), wholeWidth: Int, wholeHeight: Int, scale: Double,
                               rows: Range<Int>, columns: Range<Int>) throws -> Image {
        guard scale.isFinite, scale > 0 else { throw ImageError.invalidArgument("resize scale \(scale) must be > 0") }
        let needY = inputRange(outputs: rows, inputLength: wholeHeight, scale: scale)
        let needX = inputRange(outputs: columns, inputLength: wholeWidth, scale: scale)
        guard needY.lowerBound >= origin.y, needY.upperBound <= origin.y + window.height,
              needX.lowerBound >= origin.x, needX.upperBound <= origin.x + window.width else {
            throw ImageError.invalidArgument("resize window at (\(origin.x), \(origin.y)) of \(window.width)x\(window.height) does not cover input columns \(needX) and rows \(needY)")
        }
        let vertical = _Contributions(inputLength: wholeHeight, outputs: rows, scale: scale, inputOrigin: origin.y)
        let horizontal = _Contributions(inputLength: wholeWidth, outputs: columns, scale: scale, inputOrigin: origin.x)
        let ch = window.channels, w = window.width
        // As `_imresize` with one scale for both axes: rows first.
        let pixels = _resizeRowsFirstUInt8(window.pixels, width: w, channels: ch, vertical: vertical, horizontal: horizontal)
        return Image(width: columns.count, height: rows.count, channels: ch, pixels: pixels)
    }
}
