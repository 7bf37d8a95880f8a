import COpenSlide
import Foundation
import MitosisSupport
import Testing
import MitosisData
import MitosisImage
import MitosisPipeline

/// Test slides assembled from dataset frames: placements, centres in slide pixels, pixels at their place,
/// OpenSlide reading the result, the repeating (large slide) mode.
@Suite struct SlideAssemblyTests {
    static let sizes = [(300, 200), (280, 200), (300, 190), (250, 180)]

    /// Frame `i`: a smooth pattern of its own colour, so a misplaced frame shows.
    static func frame(_ i: Int) -> Image {
        let (w, h) = sizes[i]
        var image = Image(width: w, height: h, channels: 3)
        for y in 0..<h {
            for x in 0..<w {
                image[x, y, 0] = UInt8(40 + 50 * i + x / 10)
                image[x, y, 1] = UInt8(200 - 40 * i + y / 10)
                image[x, y, 2] = UInt8(100 + Int(40 * sin(Double(x + y) / 30)))
            }
        }
        return image
    }

    static func centres(_ i: Int) -> [Centre] { [Centre(x: 10 + Double(i), y: 20), Centre(x: 150, y: 100.5 + Double(i))] }

    /// Four PNG frames `01_0i.png` with their CSVs (header `x,y`, as the real data) in a new folder.
    static func dataset() throws -> Dataset {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-slide-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<4 {
            try ImageIO.write(frame(i), to: folder + "/01_0\(i + 1).png")
            try ("x,y\n" + CentreCSV.format(centres(i))).write(toFile: folder + "/01_0\(i + 1).csv", atomically: true, encoding: .utf8)
        }
        return try Dataset.discover(at: folder)
    }

    @Test func placementsAndCSVs() throws {
        let dataset = try Self.dataset()
        defer { try? FileManager.default.removeItem(atPath: dataset.root) }
        let assembly = try SlideAssembly(images: dataset.images, gap: 64, margin: 32, micronsPerPixel: 0.25)
        #expect(assembly.columns == 2)
        #expect((assembly.width, assembly.height) == (32 + 300 + 64 + 300 + 32, 32 + 200 + 64 + 200 + 32))
        #expect(assembly.placements.map { [$0.x, $0.y, $0.width, $0.height] }
                == [[32, 32, 300, 200], [396, 32, 280, 200], [32, 296, 300, 190], [396, 296, 250, 180]])
        #expect(assembly.pixelSizeSource == .given)
        let slide = dataset.root + "/out/slide.tif"
        try FileManager.default.createDirectory(atPath: dataset.root + "/out", withIntermediateDirectories: true)
        let written = try assembly.write(to: slide, tileSize: 128)
        #expect(written.centresPath == dataset.root + "/out/slide.csv")
        #expect(written.framesPath == dataset.root + "/out/slide_frames.csv")
        #expect(written.frameDecodes == 4)
        let expected = assembly.placements.enumerated().flatMap { i, p in
            Self.centres(i).map { Centre(x: $0.x + Double(p.x), y: $0.y + Double(p.y)) }
        }
        #expect(try CentreCSV.read(written.centresPath) == expected)
        #expect(written.centres == 8)
        let frames = try String(contentsOfFile: written.framesPath, encoding: .utf8)
        #expect(frames == "name,x,y,width,height\n01_01,32,32,300,200\n01_02,396,32,280,200\n01_03,32,296,300,190\n01_04,396,296,250,180\n")
        #expect(TIFFCodec.pixelSizeMicrons(slide).map { abs($0 - 0.25) < 1e-6 } == true)
    }

    /// Level 0 is the frames at their placements on white, within JPEG tolerance; OpenSlide opens the slide.
    @Test func pixelsAtTheirPlaceAndOpenSlideReadsIt() throws {
        let dataset = try Self.dataset()
        defer { try? FileManager.default.removeItem(atPath: dataset.root) }
        let assembly = try SlideAssembly(images: dataset.images, columns: 3, gap: 40, margin: 20, micronsPerPixel: 0.5)
        #expect(assembly.placements.map { [$0.x, $0.y] } == [[20, 20], [360, 20], [700, 20], [20, 260]])
        let slide = dataset.root + "/slide.tif"
        let written = try assembly.write(to: slide, tileSize: 128, smallestLevelSide: 256)
        #expect(written.levels.count == 3)   // 1020x480, 510x240, 255x120
        let image = try TIFFCodec.read(slide)
        #expect((image.width, image.height) == (1020, 480))
        var expected = Image(width: 1020, height: 480, channels: 3, fill: 255)
        for (i, p) in assembly.placements.enumerated() {
            let f = Self.frame(i)
            for y in 0..<f.height { for x in 0..<f.width { for c in 0..<3 { expected[p.x + x, p.y + y, c] = f[x, y, c] } } }
        }
        let error = zip(image.pixels, expected.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        #expect(Double(error) / Double(expected.pixels.count) < 3)
        // Inside each frame too (a frame one pixel off would fail here).
        for (i, p) in assembly.placements.enumerated() {
            let got = try image.cropped(x: p.x, y: p.y, width: p.width, height: p.height)
            let e = zip(got.pixels, Self.frame(i).pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            #expect(Double(e) / Double(got.pixels.count) < 3, "frame \(i)")
        }
        guard let osr = openslide_open(slide) else { Issue.record("OpenSlide cannot open \(slide)"); return }
        defer { openslide_close(osr) }
        #expect(openslide_get_error(osr) == nil)
        #expect(openslide_get_property_value(osr, "openslide.vendor").map { String(cString: $0) } == "generic-tiff")
        #expect(openslide_get_level_count(osr) == 3)
        var w: Int64 = 0, h: Int64 = 0
        openslide_get_level_dimensions(osr, 0, &w, &h)
        #expect((w, h) == (1020, 480))
        // One pixel inside frame 2, through OpenSlide.
        var argb: UInt32 = 0
        let p = assembly.placements[2]
        openslide_read_region(osr, &argb, Int64(p.x + 100), Int64(p.y + 50), 0, 1, 1)
        let f = Self.frame(2)
        #expect(abs(Int(argb >> 16 & 255) - Int(f[100, 50, 0])) <= 8)
        #expect(abs(Int(argb >> 8 & 255) - Int(f[100, 50, 1])) <= 8)
    }

    /// `size` fills the canvas with the frames repeated in order; frames are decoded once while the cache holds them.
    @Test func repeatingFillsTheRequestedSize() throws {
        let dataset = try Self.dataset()
        defer { try? FileManager.default.removeItem(atPath: dataset.root) }
        let assembly = try SlideAssembly(images: dataset.images, gap: 64, margin: 32, micronsPerPixel: 0.25, size: (1500, 1000))
        #expect((assembly.width, assembly.height, assembly.columns) == (1500, 1000, 4))
        #expect(assembly.placements.count == 12)
        #expect(assembly.placements.map(\.frame) == (0..<12).map { $0 % 4 })
        #expect(assembly.placements[5].x == 32 + 364 && assembly.placements[5].y == 32 + 264)
        let written = try assembly.write(to: dataset.root + "/big.tif", tileSize: 128)
        #expect(written.frameDecodes == 4)   // the cache holds a grid row's frames (5), here all four
        #expect(written.centres == 24)
        #expect(try CentreCSV.read(written.centresPath).count == 24)
        let limited = try SlideAssembly(images: dataset.images, gap: 64, margin: 32, micronsPerPixel: 0.25, limit: 1, size: (1500, 1000))
        #expect(Set(limited.placements.map(\.name)) == ["01_01"])
    }

    @Test func badLayoutsAreRefused() throws {
        let dataset = try Self.dataset()
        defer { try? FileManager.default.removeItem(atPath: dataset.root) }
        #expect(throws: PipelineError.self) {
            try SlideAssembly(images: dataset.images, micronsPerPixel: 0.25, size: (500, 500))
        }
        #expect(throws: PipelineError.self) { try SlideAssembly(images: [], micronsPerPixel: 0.25) }
        #expect(throws: PipelineError.self) { try SlideAssembly(images: dataset.images, gap: -1, micronsPerPixel: 0.25) }
        // Frames that record different pixel sizes cannot share one slide.
        let folder = dataset.root + "/mixed"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try ImageIO.write(Self.frame(0), to: folder + "/02_01.tif", options: ImageWriteOptions(tiffPixelSizeMicrons: 0.25))
        try ImageIO.write(Self.frame(1), to: folder + "/02_02.tif", options: ImageWriteOptions(tiffPixelSizeMicrons: 0.5))
        #expect(throws: PipelineError.self) { try SlideAssembly(images: try Dataset.discover(at: folder).images) }
        let one = try SlideAssembly(images: try Dataset.discover(at: folder).images, limit: 1)
        #expect(one.micronsPerPixel == 0.25 && one.pixelSizeSource == .recorded(images: 1, of: 1))
    }
}
