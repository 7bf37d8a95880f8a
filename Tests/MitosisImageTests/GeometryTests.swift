import Testing
import MitosisImage

/// Rotation (MATLAB imrotate 'crop') and symmetric padding.
@Suite struct GeometryTests {
    /// Pure array rotation counter-clockwise by 90: out[y][x] = in[x][n-1-y] (numpy rot90).
    func rot90(_ image: Image) -> Image {
        var out = image
        let n = image.width
        for y in 0..<n { for x in 0..<n { for c in 0..<image.channels {
            out[x, y, c] = image[n - 1 - y, x, c]
        } } }
        return out
    }

    @Test(arguments: [32, 33])
    func quarterTurnsAreArrayRotations(size: Int) {
        let image = noiseImage(width: size, height: size, channels: 3, seed: UInt64(size))
        let r90 = rot90(image), r180 = rot90(r90), r270 = rot90(r180)
        #expect(image.rotated(degrees: 90) == r90)
        #expect(image.rotated(degrees: 180) == r180)
        #expect(image.rotated(degrees: 270) == r270)
        #expect(image.rotated(degrees: -90) == r270)
        #expect(image.rotated(degrees: 360) == image)
        #expect(image.rotated(degrees: 90, interpolation: .bilinear) == r90)
        let mask = Mask(image: Image(width: size, height: size, channels: 1,
                                     pixels: image.pixels.enumerated().filter { $0.offset % 3 == 0 }.map { $0.element > 128 ? 1 : 0 }))
        #expect(Image(mask: mask.rotated(degrees: 90)) == rot90(Image(mask: mask)))
    }

    /// 180 degrees on a non-square image is a flip of both axes.
    @Test func halfTurnNonSquare() {
        let image = noiseImage(width: 7, height: 4, channels: 1)
        let turned = image.rotated(degrees: 180)
        for y in 0..<4 { for x in 0..<7 { #expect(turned[x, y, 0] == image[6 - x, 3 - y, 0]) } }
    }

    @Test(arguments: [("rotate_45_nearest.bin", "resize_src.bin", 45.0, Interpolation.nearest),
                      ("rotate_30_bilinear.bin", "resize_src.bin", 30.0, .bilinear),
                      ("rotate_sq_45_nearest.bin", "rotate_sq_src.bin", 45.0, .nearest),
                      ("rotate_sq_m20_nearest.bin", "rotate_sq_src.bin", -20.0, .nearest)])
    func golden(name: String, sourceName: String, degrees: Double, interpolation: Interpolation) throws {
        let source = try Fixture.bin(sourceName).image
        let expected = try Fixture.bin(name).image
        #expect(source.rotated(degrees: degrees, interpolation: interpolation) == expected)
    }

    /// Hand-worked: a single pixel right of centre of a 5x5 moves above the centre at +90 (counter-clockwise).
    @Test func direction() {
        var image = Image(width: 5, height: 5, channels: 1)
        image[3, 2, 0] = 9
        let turned = image.rotated(degrees: 90)
        #expect(turned[2, 1, 0] == 9 && turned.pixels.filter { $0 != 0 }.count == 1)
        // At 45 degrees the corners come from outside: zero fill.
        let full = Image(width: 6, height: 6, channels: 1, fill: 200).rotated(degrees: 45)
        #expect(full[0, 0, 0] == 0 && full[3, 3, 0] == 200)
    }

    /// np.pad([[1,2,3],[4,5,6]], 2, mode='symmetric') worked by hand.
    @Test func symmetricPadding() {
        let image = Image(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        let padded = image.paddedSymmetric(by: 2)
        let row1: [UInt8] = [2, 1, 1, 2, 3, 3, 2], row2: [UInt8] = [5, 4, 4, 5, 6, 6, 5]
        #expect(padded.width == 7 && padded.height == 6)
        #expect(padded.pixels == row2 + row1 + row1 + row2 + row2 + row1)
        // Wider than the image: keeps reflecting with period 2n: [1 2 | 2 1 | 1 2 | 2 1 ...]
        let strip = Image(width: 2, height: 1, channels: 1, pixels: [1, 2]).paddedSymmetric(by: 3)
        #expect(Array(strip.pixels.prefix(8)) == [2, 2, 1, 1, 2, 2, 1, 1])
        let plane = FloatPlane(width: 3, height: 2, values: [1, 2, 3, 4, 5, 6]).paddedSymmetric(by: 2)
        #expect(plane.values.map { UInt8($0) } == padded.pixels)
        let mask = Mask(image: image.convertedToChannels(1)).paddedSymmetric(by: 1)
        #expect(mask.width == 5 && mask.count == 20)
        let rgb = image.convertedToChannels(3).paddedSymmetric(by: 2)
        #expect(rgb == padded.convertedToChannels(3))
    }

    @Test func cropping() throws {
        let image = noiseImage(width: 10, height: 8, channels: 3)
        let window = try image.cropped(x: 2, y: 3, width: 4, height: 5)
        #expect(window[0, 0, 1] == image[2, 3, 1] && window[3, 4, 2] == image[5, 7, 2])
        #expect(throws: ImageError.self) { try image.cropped(x: 7, y: 0, width: 4, height: 2) }
        #expect(throws: ImageError.self) { try image.cropped(x: -1, y: 0, width: 2, height: 2) }
        #expect(throws: ImageError.self) { try image.cropped(x: 0, y: 0, width: 0, height: 2) }
    }
}
