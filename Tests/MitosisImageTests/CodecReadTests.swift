import Testing
import MitosisImage

/// Decoding the codec fixtures of scripts/fixtures/make_image_fixtures.py (written by Pillow, OpenCV
/// and a hand-written tiled TIFF writer) against the pixels they were made from.
@Suite struct CodecReadTests {
    let rgba: Image
    var rgb: Image { rgba.convertedToChannels(3) }
    var gray: [UInt8] { stride(from: 1, to: rgba.pixels.count, by: 4).map { rgba.pixels[$0] } }

    init() throws { rgba = try Fixture.bin("codec_rgba.bin").image }

    @Test func pngVariants() throws {
        let grayPNG = try ImageIO.read(Fixture.path("png_gray.png"))
        #expect(grayPNG.channels == 1 && grayPNG.pixels == gray)
        #expect(try ImageIO.read(Fixture.path("png_rgb.png")) == rgb)
        #expect(try ImageIO.read(Fixture.path("png_rgba.png")) == rgba)
        let ga = try ImageIO.read(Fixture.path("png_gray_alpha.png"))
        #expect(ga.channels == 4)
        for i in 0..<ga.width * ga.height {
            #expect(ga.pixels[4 * i] == gray[i] && ga.pixels[4 * i + 2] == gray[i])
            #expect(ga.pixels[4 * i + 3] == rgba.pixels[4 * i + 3])
        }
        #expect(try ImageIO.read(Fixture.path("png_palette.png")) == Fixture.bin("png_palette_expected.bin").image)
        #expect(try ImageIO.read(Fixture.path("png_palette_trns.png"))
            == Fixture.bin("png_palette_trns_expected.bin").image)
    }

    /// 16-bit samples become round(v / 257), computed independently by the fixture script.
    @Test(arguments: ["png16_gray", "png16_rgb", "png16_rgba"])
    func png16Bit(name: String) throws {
        #expect(try ImageIO.read(Fixture.path(name + ".png")) == Fixture.bin(name + "_expected.bin").image)
    }

    @Test func tiffStripsAndTiles() throws {
        #expect(try ImageIO.read(Fixture.path("tif_rgb_lzw.tif")) == rgb)
        let grayTIFF = try ImageIO.read(Fixture.path("tif_gray_deflate.tif"))
        #expect(grayTIFF.channels == 1 && grayTIFF.pixels == gray)
        #expect(try ImageIO.read(Fixture.path("tif_rgba_none.tif")) == rgba)
        #expect(try ImageIO.read(Fixture.path("tif_rgb_tiled_deflate.tif")) == rgb)
        #expect(try ImageIO.read(Fixture.path("tif_rgb_tiled_none.tif"))
            == Fixture.bin("tif_rgb_tiled_none_expected.bin").image)
    }

    /// Orientation 3 (bottom-right origin) must come out upright: the stored rows are the image rotated 180.
    @Test func tiffOrientation() throws {
        let stored = try ImageIO.read(Fixture.path("tif_rgb_orient3.tif"))
        #expect(stored == rgb.rotated(degrees: 180))
    }

    /// JPEG-compressed TIFF (RGB and YCbCr): libjpeg builds may differ by a level or two, so compare with
    /// Pillow's decode within 2.
    @Test(arguments: ["tif_rgb_jpeg", "tif_ycbcr_jpeg"])
    func tiffJPEG(name: String) throws {
        let image = try ImageIO.read(Fixture.path(name + ".tif"))
        let expected = try Fixture.bin(name + "_expected.bin").image
        #expect(image.channels == 3 && image.width == expected.width && image.height == expected.height)
        #expect(maxDifference(image.pixels, expected.pixels) <= 2)
    }

    @Test(arguments: [("jpg_rgb", 3), ("jpg_gray", 1)])
    func jpeg(name: String, channels: Int) throws {
        let image = try ImageIO.read(Fixture.path(name + ".jpg"))
        let expected = try Fixture.bin(name + "_expected.bin").image
        #expect(image.channels == channels && expected.channels == channels)
        #expect(maxDifference(image.pixels, expected.pixels) <= 2)
    }
}
