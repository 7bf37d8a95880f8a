import COpenSlide
import Foundation
import Testing
import MitosisImage

/// `TiledTIFFReader` against OpenSlide 3.4.1 on the same files: a slide written by `TiledTIFFWriter`
/// (JPEG in YCbCr 4:2:0, edge tiles) and, when `../shared` is beside the package, the Aperio
/// `CMU-1-Small-Region.svs`. The pixels must be identical, inside, across tile seams, past the image's
/// edges and wholly outside it.
@Suite struct TiledTIFFReaderTests {
    static let svs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference/tissue/CMU-1-Small-Region.svs").path

    /// OpenSlide's level-0 region over white, as `mitosis slide` used to read every region.
    static func openSlideRegion(_ path: String, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        let slide = try #require(openslide_open(path))
        defer { openslide_close(slide) }
        var argb = [UInt32](repeating: 0, count: width * height)
        openslide_read_region(slide, &argb, Int64(x), Int64(y), 0, Int64(width), Int64(height))
        #expect(openslide_get_error(slide) == nil)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for (i, v) in argb.enumerated() {
            let under = 255 - Int(v >> 24)
            for c in 0..<3 { pixels[3 * i + c] = UInt8(min(255, Int(v >> UInt32(16 - 8 * c) & 255) + under)) }
        }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func compare(_ path: String, width: Int, height: Int) throws {
        let reader = try TiledTIFFReader(path)
        let level0 = try #require(reader.directory(width: width, height: height))
        let regions = [(0, 0, min(width, 1100), min(height, 700)), (-13, -7, 300, 211), (width - 150, height - 90, 200, 130),
                       (255, 250, 9, 13), (width / 2 - 1, height / 3, 517, 263), (width + 5, 3, 20, 20), (-40, -40, 30, 30)]
        for (x, y, w, h) in regions {
            let ours = try reader.read(level0, x: x, y: y, width: w, height: h)
            let theirs = try openSlideRegion(path, x: x, y: y, width: w, height: h)
            let differing = zip(ours.pixels, theirs.pixels).filter { $0 != $1 }.count
            #expect(differing == 0, "\(path): region (\(x), \(y)) \(w)x\(h): \(differing) samples differ")
        }
    }

    @Test func aWrittenSlideReadsAsOpenSlideReadsIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, levels) = try TiledTIFFWriterTests.writeSlide(in: folder)
        let reader = try TiledTIFFReader(path)
        #expect(reader.directories.map { [$0.width, $0.height] } == levels.map { [$0.width, $0.height] })
        try Self.compare(path, width: 1100, height: 700)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: TiledTIFFReaderTests.svs), "needs ../shared/reference/tissue"))
    func anAperioSlideReadsAsOpenSlideReadsIt() throws {
        try Self.compare(Self.svs, width: 2220, height: 2967)
    }

    @Test func aStripTIFFHasNoReadableDirectoryAndAMissingTileIsNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let strips = folder + "/strips.tif"
        try ImageIO.write(TiledTIFFWriterTests.region(0, 0, 40, 30), to: strips)
        #expect(try TiledTIFFReader(strips).directories.isEmpty)

        let path = try TiledTIFFWriterTests.writeSlide(in: folder, width: 600, height: 500).path
        let reader = try TiledTIFFReader(path)
        let level0 = try #require(reader.directory(width: 600, height: 500))
        // Cut the file after its directories were listed: level 0's last tiles are gone.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ImageError.self) { _ = try reader.read(level0, x: 0, y: 0, width: 600, height: 500) }
        #expect("\(error!)".contains("slide.tif") && "\(error!)".contains("truncated"), "\(error!)")
    }
}
