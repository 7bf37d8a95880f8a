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
}
