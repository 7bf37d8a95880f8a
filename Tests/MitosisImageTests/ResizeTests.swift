import MitosisSupport
import Testing
@testable import MitosisImage

/// MATLAB `imresize` (bicubic, antialiased) against the numpy port in
/// scripts/fixtures/make_image_fixtures.py. uint8 results must match exactly: both sides run the same
/// double-precision operations in the same order, then round half away from zero and clamp after each pass.
@Suite struct ResizeTests {
    let source: Image

    init() throws { source = try Fixture.bin("resize_src.bin").image }

    @Test(arguments: [("resize_half.bin", 0.5), ("resize_0p3.bin", 0.3), ("resize_up1p3.bin", 1.3)])
    func byScale(name: String, scale: Double) throws {
        let expected = try Fixture.bin(name).image
        let result = try source.resized(scale: scale)
        #expect(result.width == expected.width && result.height == expected.height)
        #expect(maxDifference(result.pixels, expected.pixels) == 0)
    }

    /// Unequal scales exercise MATLAB's order (smaller scale first).
    @Test(arguments: [("resize_to_11x20.bin", 20, 11), ("resize_to_25x9.bin", 9, 25)])
    func toSize(name: String, width: Int, height: Int) throws {
        let expected = try Fixture.bin(name).image
        #expect(try source.resized(width: width, height: height) == expected)
    }

    /// Float planes: Float storage between passes on both sides, so agreement is to Float rounding.
    @Test func floatPlane() throws {
        let plane = try Fixture.bin("resize_plane_src.bin").plane
        let expected = try Fixture.bin("resize_plane_half.bin").plane
        let result = try plane.resized(scale: 0.5)
        #expect(result.width == expected.width && result.height == expected.height)
        let worst = zip(result.values, expected.values).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-6)
    }

    /// Channels are independent and a constant image stays constant (weights sum to 1).
    @Test func channelsAndConstants() throws {
        let gray = source.convertedToChannels(1)
        let rgbOfGray = gray.convertedToChannels(3)
        #expect(try rgbOfGray.resized(scale: 0.5) == gray.resized(scale: 0.5).convertedToChannels(3))
        let flat = Image(width: 40, height: 40, channels: 4, fill: 77)
        #expect(try flat.resized(scale: 0.5) == Image(width: 20, height: 20, channels: 4, fill: 77))
        #expect(throws: ImageError.self) { try flat.resized(scale: 0) }
        #expect(throws: ImageError.self) { try flat.resized(width: 0, height: 3) }
    }

    /// A large image is split across threads; the result must not depend on it (compare with row strips).
    @Test func threadedMatchesStrips() throws {
        let big = noiseImage(width: 400, height: 300, channels: 3, seed: 9)
        let whole = try big.resized(scale: 0.5)
        // Resizing columns only: each row is independent, so a strip gives the same rows.
        let strip = try big.cropped(x: 0, y: 0, width: 400, height: 10)
        let wide = try big.resized(width: 200, height: 300)
        #expect(try Array(wide.pixels.prefix(200 * 10 * 3)) == strip.resized(width: 200, height: 10).pixels)
        #expect(whole.width == 200 && whole.height == 150)
    }

    /// The uint8 store after each pass rounds half away from zero and clamps, as MATLAB's uint8 and as
    /// `rounded()` did before the libm-free rounding replaced it: checked at and around every half.
    @Test func theUInt8StoreRoundsAsMATLAB() {
        var values: [Double] = [-3, -0.5, -1e-300, 0, 255.49, 255.5, 300, 1e300]
        for k in 0..<256 {
            let half = Double(k) + 0.5
            values += [Double(k), half, half.nextDown, half.nextUp, Double(k).nextUp, Double(k).nextDown, Double(k) + 0.25]
        }
        for v in values {
            #expect(UInt8(_resampled: v) == UInt8(Swift.min(Swift.max(v, 0), 255).rounded()), "\(v)")
        }
    }

    /// The resampler (four samples at a time, zero-weight end taps skipped) against the plain definition:
    /// every output sample the in-order sum over all its taps of weight x sample in Double, from +0, stored
    /// after each pass. Bit for bit, for uint8 and Float, on odd sizes, 1, 3 and 4 channels, shrinking and
    /// growing, including the slides' 0.2273 -> 0.5 um scale.
    @Test(arguments: [(0.4546, 1), (0.4546, 3), (0.5, 3), (0.3, 4), (1.3, 3), (0.7, 1)])
    func theResamplerIsThePlainSumOverItsTaps(scale: Double, channels: Int) throws {
        let image = noiseImage(width: 61, height: 37, channels: channels, seed: 3)
        let w = Int((scale * 61).rounded(.up)), h = Int((scale * 37).rounded(.up))
        #expect(try image.resized(scale: scale).pixels == Self.plainResize(image.pixels, width: 61, height: 37, channels: channels,
                                                                            outWidth: w, outHeight: h, scaleX: scale, scaleY: scale))
        let uneven = try image.resized(width: 23, height: 50)
        #expect(uneven.pixels == Self.plainResize(image.pixels, width: 61, height: 37, channels: channels,
                                                   outWidth: 23, outHeight: 50, scaleX: 23.0 / 61, scaleY: 50.0 / 37))
        let plane = FloatPlane(width: 61, height: 37, values: image.pixels.prefix(61 * 37).map { Float($0) / 7 - 11 })
        let resizedPlane = try plane.resized(scale: scale)
        let expected = Self.plainResize(plane.values, width: 61, height: 37, channels: 1, outWidth: resizedPlane.width,
                                        outHeight: resizedPlane.height, scaleX: scale, scaleY: scale)
        #expect(resizedPlane.values.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// The fused Float path for uint8 (ResizeFused.swift) against the Double reference passes, bit for bit:
    /// with its margin, and with every sum forced to the Double fallback.
    @Test(arguments: [(0.5, 3), (0.4546, 3), (0.4546, 1), (0.3, 4), (1.3, 3), (0.7, 2)])
    func theFusedFloatPathIsTheDoublePassesBitForBit(scale: Double, channels: Int) throws {
        let (w, h) = (257, 191)
        for seed in 0..<6 as Range<UInt64> {
            let image = seed == 5 ? smoothImage(width: w, height: h, channels: channels)
                                  : noiseImage(width: w, height: h, channels: channels, seed: 40 + seed)
            let (v, hz, reference) = Self.referencePasses(image, scale: scale)
            #expect(_resizeRowsFirstUInt8(image.pixels, width: w, channels: channels, vertical: v, horizontal: hz) == reference)
            #expect(_resizeRowsFirstUInt8(image.pixels, width: w, channels: channels, vertical: v, horizontal: hz, margin: 1) == reference)
        }
        #expect(v05margin() < 1e-3)
    }

    /// Without the fallback (margin 0) the Float sums alone round some samples the other way at the
    /// 0.2273 -> 0.5 um scale (about one in 10^5 here; at 0.5 the weights are multiples of 2^-8 and the
    /// Float sums are exact), so the fallback is needed; with it the result is the reference's.
    @Test(.enabled(if: CPUFeatures.haswellClass, "the fused kernel runs only on AVX2 processors"))
    func theFallbackIsNeeded() throws {
        let image = noiseImage(width: 1024, height: 512, channels: 3, seed: 100)
        let (v, hz, reference) = Self.referencePasses(image, scale: 0.4546)
        let unguarded = _resizeRowsFirstUInt8(image.pixels, width: 1024, channels: 3, vertical: v, horizontal: hz, margin: 0)
        #expect(zip(unguarded, reference).contains { $0 != $1 })
        #expect(_resizeRowsFirstUInt8(image.pixels, width: 1024, channels: 3, vertical: v, horizontal: hz) == reference)
    }

    /// The tables of a resize by `scale` and the reference passes' result (rows first).
    static func referencePasses(_ image: Image, scale: Double) -> (_Contributions, _Contributions, [UInt8]) {
        let (w, h, c) = (image.width, image.height, image.channels)
        let v = _Contributions(inputLength: h, outputLength: Int((scale * Double(h)).rounded(.up)), scale: scale)
        let hz = _Contributions(inputLength: w, outputLength: Int((scale * Double(w)).rounded(.up)), scale: scale)
        return (v, hz, _resampleRowsFirst(image.pixels, width: w, channels: c, vertical: v, horizontal: hz))
    }

    /// The fallback margin at the slides' scale is small (a few samples in ten thousand fall back).
    func v05margin() -> Float { _Contributions(inputLength: 100, outputLength: 50, scale: 0.5).floatMargin }

    /// A smooth gradient with plateaus: sums that land near halves more often than noise does.
    func smoothImage(width: Int, height: Int, channels: Int) -> Image {
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { pixels.append(UInt8(truncatingIfNeeded: (x * 3 + y * 2 + c * 50) / 7)) }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The plain definition `theResamplerIsThePlainSumOverItsTaps` compares against.
    static func plainResize<T: _ResampleSample>(_ data: [T], width: Int, height: Int, channels: Int, outWidth: Int, outHeight: Int,
                                               scaleX: Double, scaleY: Double) -> [T] {
        let v = _Contributions(inputLength: height, outputLength: outHeight, scale: scaleY)
        let hz = _Contributions(inputLength: width, outputLength: outWidth, scale: scaleX)
        func vertical(_ a: [T], rowLength: Int) -> [T] {
            (0..<(outHeight * rowLength)).map { o in
                let k = o / rowLength, i = o % rowLength
                var acc = 0.0
                for j in 0..<v.taps { acc += v.weights[k * v.taps + j] * a[v.indices[k * v.taps + j] * rowLength + i]._double }
                return T(_resampled: acc)
            }
        }
        func horizontal(_ a: [T], rows: Int) -> [T] {
            (0..<(rows * outWidth * channels)).map { o in
                let y = o / (outWidth * channels), k = (o / channels) % outWidth, c = o % channels
                var acc = 0.0
                for j in 0..<hz.taps { acc += hz.weights[k * hz.taps + j] * a[(y * width + hz.indices[k * hz.taps + j]) * channels + c]._double }
                return T(_resampled: acc)
            }
        }
        if scaleY <= scaleX { return horizontal(vertical(data, rowLength: width * channels), rows: outHeight) }
        return vertical(horizontal(data, rows: height), rowLength: outWidth * channels)
    }
}
