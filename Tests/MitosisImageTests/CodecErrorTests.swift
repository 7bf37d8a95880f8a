import Foundation
import Testing
import MitosisImage

/// Truncated, garbage, empty and unsupported files must throw an `ImageError` naming the file, never crash.
@Suite struct CodecErrorTests {
    static let valid = ["png_rgb.png", "png16_rgba.png", "tif_rgb_lzw.tif", "tif_rgb_tiled_deflate.tif",
                        "tif_ycbcr_jpeg.tif", "tif_rgba_none.tif", "jpg_rgb.jpg", "jpg_gray.jpg"]

    /// Writes `bytes` to a fresh file and expects `ImageIO.read` to throw an error mentioning it.
    func expectFailure(_ bytes: [UInt8], name: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            let image = try ImageIO.read(path)
            Issue.record("\(name) (\(bytes.count) bytes) decoded to \(image.width)x\(image.height)")
        } catch let error as ImageError {
            #expect(error.description.contains(path), "\(error)")
        }
    }

    @Test(arguments: valid)
    func truncated(name: String) throws {
        let bytes = try Fixture.bytes(name)
        for keep in [bytes.count / 2, bytes.count * 3 / 4, 8, 3] {
            try expectFailure(Array(bytes.prefix(keep)), name: "cut\(keep)_" + name)
        }
    }

    /// Right magic, random body.
    @Test(arguments: valid)
    func garbage(name: String) throws {
        let bytes = try Fixture.bytes(name)
        var noise = noiseImage(width: bytes.count, height: 1, channels: 1, seed: UInt64(bytes.count)).pixels
        noise.replaceSubrange(0..<8, with: bytes.prefix(8))
        try expectFailure(noise, name: "garbage_" + name)
    }

    @Test func emptyUnknownAndMissing() throws {
        try expectFailure([], name: "empty.png")
        try expectFailure(Array("GIF89a hello".utf8), name: "image.gif")
        try expectFailure(Array("P6\n2 2\n255\n".utf8) + [UInt8](repeating: 9, count: 12), name: "x.ppm")
        let missing = "/nonexistent/\(UUID().uuidString).png"
        #expect(throws: ImageError.cannotRead(path: missing, reason: "no such file")) { try ImageIO.read(missing) }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: ImageError.self) { try ImageIO.read(folder) }
    }
}
