import COpenSlide
import Foundation
import MitosisData
import MitosisImage
import MitosisSupport
import MitosisVisuals

/// One level of a slide's pyramid.
public struct SlideLevel: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int
    /// Level-0 pixels per pixel of this level.
    public var downsample: Double
}

/// A whole slide (or a plain image seen as a one-level slide): its levels, its pixel size and regions of
/// any level as RGB images (transparent pixels, e.g. outside a scanned area, are white).
public protocol SlideReading: AnyObject, Sendable {
    var path: String { get }
    /// `openslide`'s vendor (`aperio`, `generic-tiff`, ...), or `image` for a plain image.
    var vendor: String { get }
    /// Level 0 first.
    var levels: [SlideLevel] { get }
    /// Level-0 pixel size in um recorded in the file (nil: not recorded).
    var recordedMicronsPerPixel: Double? { get }
    /// The rectangle at `level` whose top-left corner is at level-0 pixel (`x`, `y`), `width x height` pixels
    /// of that level; parts outside the slide are white.
    func read(level: Int, x: Int, y: Int, width: Int, height: Int) throws -> Image
}

extension SlideReading {
    public var width: Int { levels[0].width }
    public var height: Int { levels[0].height }

    /// The level whose downsample is the largest not above `downsample` (level 0 if none).
    public func level(forDownsample downsample: Double) -> Int {
        var best = 0
        for (i, l) in levels.enumerated() where l.downsample <= downsample * 1.001 && l.downsample > levels[best].downsample { best = i }
        return best
    }
}

public enum Slides {
    /// Extensions taken as slides when a folder is listed.
    public static let extensions: Set<String> = ["svs", "ndpi", "mrxs", "scn", "tif", "tiff", "vms", "vmu", "bif", "svslide", "png", "jpg", "jpeg"]

    /// Opens `path` with OpenSlide when it recognises the file, else as a plain image (read whole).
    /// - Throws: `PipelineError.missingInput` / `.badFile` naming the file and what to do.
    public static func open(_ path: String) throws -> SlideReading {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError.missingInput(path: path, hint: "give a whole-slide file (.svs, .ndpi, .mrxs, .scn, tiled TIFF) or an image")
        }
        if openslide_detect_vendor(path) != nil { return try OpenSlideReader(path) }
        do {
            return try PlainImageSlide(path)
        } catch {
            throw PipelineError.badFile(path: path, reason: "neither OpenSlide nor the image readers can read it (\(error)). HINT: convert it to a tiled pyramidal TIFF, e.g. with `vips tiffsave --tile --pyramid`")
        }
    }

    /// Slide files in `paths` (folders listed, sorted; the project's own outputs left out).
    public static func list(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw PipelineError.missingInput(path: path, hint: "give slide files or folders of slides")
            }
            guard isFolder.boolValue else { result.append(path); continue }
            for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
                let ext = (name as NSString).pathExtension.lowercased()
                let stem = (name as NSString).deletingPathExtension
                let companion = (Dataset.companionSuffixes + ["_thumbnail", "_tissue", "_gallery"]).contains { stem.hasSuffix($0) }
                if extensions.contains(ext) && !companion { result.append((path as NSString).appendingPathComponent(name)) }
            }
        }
        return result
    }

    /// Pixel size in um from OpenSlide properties: `openslide.mpp-x`, else the TIFF resolution tags.
    static func micronsPerPixel(properties: (String) -> String?) -> Double? {
        if let v = properties("openslide.mpp-x").flatMap(Double.init), v > 0, v.isFinite { return v }
        guard let x = properties("tiff.XResolution").flatMap(Double.init), x > 0 else { return nil }
        switch properties("tiff.ResolutionUnit")?.lowercased() {
        case "centimeter": return 10_000 / x
        case "inch": return 25_400 / x
        default: return nil
        }
    }
}

/// A slide read by OpenSlide (thread-safe: `openslide_read_region` may be called from several threads).
///
/// Level-0 regions of TIFF-based slides (OpenSlide's `generic-tiff` and `aperio` vendors) are read
/// straight from their tiles with libtiff (`TiledTIFFReader`) when level 0 is a directory it can read:
/// the same pixels (tested against OpenSlide) without OpenSlide's cairo/pixman compositing, which cost
/// 13 % of a slide's CPU time. `directTiles: false` always goes through OpenSlide.
public final class OpenSlideReader: SlideReading, @unchecked Sendable {
    public let path: String
    public let vendor: String
    public let levels: [SlideLevel]
    public let recordedMicronsPerPixel: Double?
    private let handle: OpaquePointer
    /// Level 0's tiles, when they are read without OpenSlide.
    private let direct: (reader: TiledTIFFReader, directory: TiledTIFFReader.Directory)?

    /// Whether level-0 reads bypass OpenSlide (see the type's documentation).
    public var readsTilesDirectly: Bool { direct != nil }

    public init(_ path: String, directTiles: Bool = true) throws {
        guard let h = openslide_open(path) else {
            throw PipelineError.badFile(path: path, reason: "OpenSlide does not recognise this file format")
        }
        if let e = openslide_get_error(h) {
            let message = String(cString: e)
            openslide_close(h)
            throw PipelineError.badFile(path: path, reason: "OpenSlide: \(message)")
        }
        handle = h
        self.path = path
        vendor = openslide_detect_vendor(path).map { String(cString: $0) } ?? "unknown"
        levels = (0..<openslide_get_level_count(h)).map { i in
            var w: Int64 = 0, hh: Int64 = 0
            openslide_get_level_dimensions(h, i, &w, &hh)
            return SlideLevel(width: Int(w), height: Int(hh), downsample: openslide_get_level_downsample(h, i))
        }
        recordedMicronsPerPixel = Slides.micronsPerPixel { name in openslide_get_property_value(h, name).map { String(cString: $0) } }
        guard let first = levels.first, first.width > 0, first.height > 0 else {
            openslide_close(h)
            throw PipelineError.badFile(path: path, reason: "OpenSlide reports no image levels")
        }
        if directTiles, ["generic-tiff", "aperio"].contains(vendor), let reader = try? TiledTIFFReader(path),
           let d = reader.directory(width: first.width, height: first.height) {
            direct = (reader, d)
        } else {
            direct = nil
        }
    }

    deinit { openslide_close(handle) }

    public func read(level: Int, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        guard levels.indices.contains(level), width > 0, height > 0 else {
            throw PipelineError.invalidOption("\(path): no region \(width)x\(height) at level \(level)")
        }
        if level == 0, let direct {
            do {
                return try direct.reader.read(direct.directory, x: x, y: y, width: width, height: height)
            } catch {
                throw PipelineError.badFile(path: path, reason: "level 0 at (\(x), \(y)): \(error)")
            }
        }
        var argb = [UInt32](repeating: 0, count: width * height)
        argb.withUnsafeMutableBufferPointer { openslide_read_region(handle, $0.baseAddress!, Int64(x), Int64(y), Int32(level), Int64(width), Int64(height)) }
        if let e = openslide_get_error(handle) {
            throw PipelineError.badFile(path: path, reason: "OpenSlide could not read level \(level) at (\(x), \(y)): \(String(cString: e)). HINT: the file may be truncated or damaged")
        }
        // Premultiplied ARGB over white: c + (255 - a) per channel.
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let v = argb[i], a = Int(v >> 24), under = 255 - a
            pixels[3 * i] = UInt8(min(255, Int((v >> 16) & 0xFF) + under))
            pixels[3 * i + 1] = UInt8(min(255, Int((v >> 8) & 0xFF) + under))
            pixels[3 * i + 2] = UInt8(min(255, Int(v & 0xFF) + under))
        }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }
}

/// A plain image (PNG, JPEG, strip TIFF) as a one-level slide, decoded whole; lower levels are made by
/// halving (area average, `Image.thumbnail`), so a thumbnail does not need the whole image at full size twice.
public final class PlainImageSlide: SlideReading, @unchecked Sendable {
    public let path: String
    public let vendor = "image"
    public let levels: [SlideLevel]
    public let recordedMicronsPerPixel: Double?
    private var pyramid: [Image]

    public init(_ path: String) throws {
        let image = try ImageIO.read(path).convertedToChannels(3)
        self.path = path
        recordedMicronsPerPixel = ImageIO.pixelSizeMicrons(path)
        var pyramid = [image]
        while let last = pyramid.last, max(last.width, last.height) > 1024 {
            pyramid.append(last.thumbnail(maxSide: (max(last.width, last.height) + 1) / 2))
        }
        self.pyramid = pyramid
        levels = pyramid.enumerated().map { i, im in
            SlideLevel(width: im.width, height: im.height, downsample: Double(image.width) / Double(im.width))
        }
    }

    public func read(level: Int, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        guard pyramid.indices.contains(level), width > 0, height > 0 else {
            throw PipelineError.invalidOption("\(path): no region \(width)x\(height) at level \(level)")
        }
        let source = pyramid[level], d = levels[level].downsample
        let lx = Int((Double(x) / d).rounded(.down)), ly = Int((Double(y) / d).rounded(.down))
        var out = [UInt8](repeating: 255, count: width * height * 3)
        for r in 0..<height {
            let sy = ly + r
            guard sy >= 0, sy < source.height else { continue }
            for c in 0..<width {
                let sx = lx + c
                guard sx >= 0, sx < source.width else { continue }
                let i = (sy * source.width + sx) * 3, o = (r * width + c) * 3
                out[o] = source.pixels[i]; out[o + 1] = source.pixels[i + 1]; out[o + 2] = source.pixels[i + 2]
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }
}
