import Foundation
import Testing
import MitosisImage

/// Round trips through the writers, format inference and atomic replacement.
@Suite struct CodecWriteTests {
    static let images = [noiseImage(width: 23, height: 17, channels: 1, seed: 3),
                         noiseImage(width: 23, height: 17, channels: 3, seed: 4),
                         noiseImage(width: 23, height: 17, channels: 4, seed: 5)]

    @Test(arguments: [0, 6, 9])
    func pngRoundTrip(level: Int) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for image in Self.images {
            let path = folder + "/x\(image.channels).png"
            try ImageIO.write(image, to: path, options: ImageWriteOptions(pngCompressionLevel: level))
            #expect(try ImageIO.read(path) == image)
        }
    }

    @Test(arguments: ImageWriteOptions.TIFFCompression.allCases)
    func tiffRoundTrip(compression: ImageWriteOptions.TIFFCompression) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for image in Self.images + [noiseImage(width: 300, height: 90, channels: 3, seed: 6)] {
            let path = folder + "/x\(image.channels).tiff"
            try ImageIO.write(image, to: path, options: ImageWriteOptions(tiffCompression: compression))
            #expect(try ImageIO.read(path) == image)
        }
    }

    /// Smooth images survive JPEG closely; gray stays one channel.
    @Test func jpegRoundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pixels: [UInt8] = []
        for i in 0..<40 * 30 { pixels += [UInt8(i % 40 * 5), UInt8(i / 40 * 6), 128] }
        let image = Image(width: 40, height: 30, channels: 3, pixels: pixels)
        try ImageIO.write(image, to: folder + "/a.jpg", options: ImageWriteOptions(jpegQuality: 98))
        #expect(maxDifference(try ImageIO.read(folder + "/a.jpg").pixels, image.pixels) <= 6)
        let gray = image.convertedToChannels(1)
        try ImageIO.write(gray, to: folder + "/g.jpeg")
        #expect(try ImageIO.read(folder + "/g.jpeg").channels == 1)
    }

    /// The format comes from magic bytes on read and from the extension on write.
    @Test func formatDispatch() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = Self.images[1]
        try ImageIO.write(image, to: folder + "/a.TIF")
        #expect(try ImageIO.read(folder + "/a.TIF") == image)
        #expect(ImageFormat(magic: try Fixture.bytes("png_rgb.png")) == .png)
        #expect(ImageFormat(magic: try Fixture.bytes("tif_rgb_lzw.tif")) == .tiff)
        #expect(ImageFormat(magic: try Fixture.bytes("jpg_rgb.jpg")) == .jpeg)
        // A PNG named .tif is still read as PNG.
        try FileManager.default.copyItem(atPath: Fixture.path("png_rgb.png"), toPath: folder + "/liar.tif")
        #expect(try ImageIO.read(folder + "/liar.tif") == ImageIO.read(Fixture.path("png_rgb.png")))
        #expect(throws: ImageError.self) { try ImageIO.write(image, to: folder + "/a.bmp") }
        #expect(ImageFormat(extensionOf: "/a.b/c") == nil)
    }

    /// Writing replaces an existing file and leaves no temporary files behind.
    @Test func atomicReplace() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.png"
        try ImageIO.write(Self.images[0], to: path)
        try ImageIO.write(Self.images[1], to: path)
        #expect(try ImageIO.read(path) == Self.images[1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.png"])
        #expect(throws: ImageError.self) { try ImageIO.write(Self.images[0], to: folder + "/missing/out.png") }
        #expect(throws: ImageError.self) {
            try ImageIO.write(Self.images[0], to: path, options: ImageWriteOptions(pngCompressionLevel: 12))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.png"])
    }
}
