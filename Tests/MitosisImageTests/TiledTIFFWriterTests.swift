import COpenSlide
import CTIFF
import Foundation
import Testing
import MitosisImage

/// The pyramidal tiled JPEG TIFF writer, read back with libtiff and with OpenSlide 3.4.1.
@Suite struct TiledTIFFWriterTests {
    /// A smooth RGB pattern, so JPEG's error stays small.
    static func pattern(_ x: Int, _ y: Int, _ c: Int) -> UInt8 {
        let (fx, fy) = (Double(x), Double(y))
        let v: Double
        switch c {
        case 0: v = 128 + 90 * sin(fx / 23 + fy / 41)
        case 1: v = 128 + 90 * cos(fx / 31 - fy / 19)
        default: v = 128 + 60 * sin((fx + fy) / 50)
        }
        return UInt8(v.rounded())
    }

    static func region(_ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for row in 0..<h { for col in 0..<w { for c in 0..<3 { pixels[(row * w + col) * 3 + c] = pattern(x + col, y + row, c) } } }
        return Image(width: w, height: h, channels: 3, pixels: pixels)
    }

    /// Level `d`'s exact box averages of `d x d` pixels of `image`, edges clipped, rounded half up.
    static func boxAverage(_ image: Image, _ d: Int) -> Image {
        let (w, h) = ((image.width + d - 1) / d, (image.height + d - 1) / d)
        var out = Image(width: w, height: h, channels: 3)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum = 0, n = 0
                    for yy in y * d..<min((y + 1) * d, image.height) {
                        for xx in x * d..<min((x + 1) * d, image.width) { sum += Int(image[xx, yy, c]); n += 1 }
                    }
                    out[x, y, c] = UInt8((sum + n / 2) / n)
                }
            }
        }
        return out
    }

    @Test func levelSizes() {
        let levels = TiledTIFFWriter.levels(width: 1100, height: 700, smallestLevelSide: 256)
        #expect(levels.map { [$0.width, $0.height, $0.downsample] } == [[1100, 700, 1], [550, 350, 2], [275, 175, 4], [138, 88, 8]])
        #expect(TiledTIFFWriter.levels(width: 400, height: 300).count == 1)
        #expect(TiledTIFFWriter.levels(width: 513, height: 10).count == 2)
    }

    /// Directories, sizes, tiling, compression, subfile types and resolution tags as libtiff reads them;
    /// level 0 through `TIFFCodec.read` within JPEG tolerance.
    /// `folder/slide.tif`: the pattern as a slide of 256-pixel tiles down to a 256-pixel level.
    static func writeSlide(in folder: String, width: Int = 1100, height: Int = 700) throws -> (path: String, levels: [TiledTIFFWriter.Level]) {
        let path = folder + "/slide.tif"
        return (path, try TiledTIFFWriter.write(width: width, height: height, to: path, micronsPerPixel: 0.25, smallestLevelSide: 256,
                                                region: region))
    }

    @Test func tagsAndLevelZeroPixels() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, levels) = try Self.writeSlide(in: folder)
        #expect(levels.count == 4)
        guard let tiff = TIFFOpen(path, "r") else { Issue.record("libtiff cannot open \(path)"); return }
        defer { TIFFClose(tiff) }
        #expect(Int(TIFFNumberOfDirectories(tiff)) == 4)
        for (k, level) in levels.enumerated() {
            #expect(TIFFSetDirectory(tiff, UInt32(k)) == 1)
            #expect(TIFFIsTiled(tiff) != 0)
            #expect(field(tiff, TIFFTAG_IMAGEWIDTH, UInt32.self) == UInt32(level.width))
            #expect(field(tiff, TIFFTAG_IMAGELENGTH, UInt32.self) == UInt32(level.height))
            #expect(field(tiff, TIFFTAG_TILEWIDTH, UInt32.self) == 256)
            #expect(field(tiff, TIFFTAG_TILELENGTH, UInt32.self) == 256)
            #expect(field(tiff, TIFFTAG_COMPRESSION, UInt16.self) == UInt16(COMPRESSION_JPEG))
            #expect(field(tiff, TIFFTAG_PHOTOMETRIC, UInt16.self) == UInt16(PHOTOMETRIC_YCBCR))
            #expect(field(tiff, TIFFTAG_SAMPLESPERPIXEL, UInt16.self) == 3)
            #expect((field(tiff, TIFFTAG_SUBFILETYPE, UInt32.self) ?? 0) == (k == 0 ? 0 : UInt32(FILETYPE_REDUCEDIMAGE)))
            #expect(field(tiff, TIFFTAG_RESOLUTIONUNIT, UInt16.self) == UInt16(RESUNIT_CENTIMETER))
            #expect(abs(Double(field(tiff, TIFFTAG_XRESOLUTION, Float.self) ?? 0) - 40_000 / Double(level.downsample)) < 0.01)
        }
        #expect(TIFFCodec.pixelSizeMicrons(path).map { abs($0 - 0.25) < 1e-6 } == true)
        let image = try TIFFCodec.read(path)
        #expect(image.width == 1100 && image.height == 700 && image.channels == 3)
        #expect(meanAbsoluteError(image.pixels, Self.region(0, 0, 1100, 700).pixels) < 3)
    }

    /// OpenSlide 3.4.1 opens the file (classic and BigTIFF) as generic-tiff with every level; level 0 is
    /// the pattern and the lower levels its box averages, within JPEG tolerance, edges included.
    @Test(arguments: [false, true])
    func openSlideReadsIt(bigTIFF: Bool) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/slide.tif"
        let (width, height) = (1100, 700)
        let levels = try TiledTIFFWriter.write(width: width, height: height, to: path, micronsPerPixel: 0.2273, smallestLevelSide: 256,
                                               bigTIFF: bigTIFF, region: Self.region)
        guard let slide = openslide_open(path) else { Issue.record("OpenSlide cannot open \(path)"); return }
        defer { openslide_close(slide) }
        #expect(openslide_get_error(slide) == nil)
        #expect(property(slide, "openslide.vendor") == "generic-tiff")
        #expect(Int(openslide_get_level_count(slide)) == levels.count)
        if !bigTIFF {
            // What OpenSlide 3.4.1 says about the pixel size of such a file (see TiledTIFFWriter's doc comment).
            var names: [String] = []
            var p = openslide_get_property_names(slide)!
            while let name = p.pointee { names.append(String(cString: name)); p += 1 }
            print("OpenSlide properties: " + names.map { "\($0)=\(property(slide, $0) ?? "")" }.joined(separator: "; "))
            #expect(abs((property(slide, "tiff.XResolution").flatMap(Double.init) ?? 0) - 10_000 / 0.2273) < 0.01)
            #expect(property(slide, "tiff.ResolutionUnit") == "centimeter")
        }
        let levelZero = Self.region(0, 0, width, height)
        for (k, level) in levels.enumerated() {
            var w: Int64 = 0, h: Int64 = 0
            openslide_get_level_dimensions(slide, Int32(k), &w, &h)
            #expect(Int(w) == level.width && Int(h) == level.height)
            let got = readRGB(slide, level: k, width: level.width, height: level.height)
            if k == 0 {
                #expect(meanAbsoluteError(got, levelZero.pixels) < 3)
                continue
            }
            // Level k holds the exact box averages: a one-level slide of them encodes to the same tiles.
            let expected = Self.boxAverage(levelZero, level.downsample)
            let reference = folder + "/level\(k).tif"
            try TiledTIFFWriter.write(width: expected.width, height: expected.height, to: reference, micronsPerPixel: nil,
                                      smallestLevelSide: 1 << 20) { x, y, w, h in try expected.cropped(x: x, y: y, width: w, height: h) }
            guard let one = openslide_open(reference) else { Issue.record("OpenSlide cannot open \(reference)"); continue }
            defer { openslide_close(one) }
            #expect(got == readRGB(one, level: 0, width: level.width, height: level.height), "level \(k)")
            // JPEG's own error grows as the pattern gets finer at each level (Pillow's JPEG of the same
            // averages at quality 90 gives 1.2, 2.0 and 4.7 at levels 1-3).
            #expect(meanAbsoluteError(got, expected.pixels) < 5, "level \(k)")
        }
    }

    /// The region closure is asked for level-0 bands only: full width, at most one tile high, each row once.
    @Test func regionRequestsAreBounded() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var requests: [[Int]] = []
        var progress: [Int] = []
        try TiledTIFFWriter.write(width: 900, height: 600, to: folder + "/s.tif", tileSize: 128, micronsPerPixel: nil,
                                  smallestLevelSide: 100, region: { x, y, w, h in
            requests.append([x, y, w, h])
            return Self.region(x, y, w, h)
        }, progress: { done, total in progress.append(done); #expect(total == 5) })
        #expect(requests.allSatisfy { $0[0] == 0 && $0[2] == 900 && $0[3] <= 128 })
        #expect(requests.map { $0[1] } == [0, 128, 256, 384, 512])
        #expect(requests.reduce(0) { $0 + $1[3] } == 600)
        #expect(requests.map { $0[2] * $0[3] }.max()! <= 900 * 128)
        #expect(progress == [1, 2, 3, 4, 5])
        #expect(TIFFCodec.pixelSizeMicrons(folder + "/s.tif") == nil)
    }

    /// An unwritable location, bad parameters and a failing region name the path and leave nothing behind.
    @Test func errorsNameThePath() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = folder + "/no such folder/slide.tif"
        let error = #expect(throws: ImageError.self) {
            try TiledTIFFWriter.write(width: 600, height: 600, to: missing, micronsPerPixel: nil, region: Self.region)
        }
        if case let .cannotWrite(path, _)? = error { #expect(path == missing) } else { Issue.record("unexpected \(String(describing: error))") }
        #expect(error?.description.contains(missing) == true)
        let path = folder + "/slide.tif"
        #expect(throws: ImageError.cannotWrite(path: path, reason: "tile size must be a positive multiple of 16, got 100")) {
            try TiledTIFFWriter.write(width: 600, height: 600, to: path, tileSize: 100, micronsPerPixel: nil, region: Self.region)
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try TiledTIFFWriter.write(width: 600, height: 600, to: path, micronsPerPixel: nil, smallestLevelSide: 100) { x, y, w, h in
                if y > 0 { throw Stop() }
                return Self.region(x, y, w, h)
            }
        }
        #expect(throws: ImageError.self) {
            try TiledTIFFWriter.write(width: 600, height: 600, to: path, micronsPerPixel: nil) { _, _, w, h in
                Image(width: w - 1, height: h, channels: 3)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}

/// A libtiff tag of the current directory, or nil when absent.
private func field<T>(_ tiff: OpaquePointer, _ tag: Int32, _ type: T.Type) -> T? where T: Numeric {
    var value: T = 0
    let found = withUnsafeMutablePointer(to: &value) { p in withVaList([p]) { TIFFVGetField(tiff, UInt32(tag), $0) } }
    return found == 1 ? value : nil
}

private func property(_ slide: OpaquePointer, _ name: String) -> String? {
    openslide_get_property_value(slide, name).map { String(cString: $0) }
}

/// Level `level` of `slide` as RGB samples (the slide is opaque, so OpenSlide's premultiplied ARGB is plain).
private func readRGB(_ slide: OpaquePointer, level: Int, width: Int, height: Int) -> [UInt8] {
    var argb = [UInt32](repeating: 0, count: width * height)
    openslide_read_region(slide, &argb, 0, 0, Int32(level), Int64(width), Int64(height))
    #expect(openslide_get_error(slide) == nil)
    return argb.flatMap { v in [UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
}

private func meanAbsoluteError(_ a: [UInt8], _ b: [UInt8]) -> Double {
    Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(a.count, 1))
}
