import CTIFF
import Foundation

/// Regions of a tiled TIFF's directories (a pyramidal "whole slide" TIFF or an Aperio .svs), decoded tile by
/// tile with libtiff and copied into place, with no compositing. Readable directories: tiled, 8-bit,
/// chunky, 3 samples, RGB or JPEG-in-YCbCr (decoded to RGB by libtiff's JPEG codec, `JPEGCOLORMODE_RGB`),
/// top-left orientation, any compression libtiff has a codec for. Pixels beyond the image's edge, in empty
/// tiles (zero byte count) or outside the image are white, as OpenSlide's region over white gives them.
///
/// Files are read, not memory-mapped (libtiff mode "rm"), so a file cut short while open gives an error,
/// not a bus error. Thread-safe: each read takes a libtiff handle from a small pool (libtiff handles are not shared
/// between threads) and gives it back.
public final class TiledTIFFReader: @unchecked Sendable {
    public struct Directory: Sendable, Equatable {
        /// libtiff's directory number.
        public var index: Int
        public var width: Int
        public var height: Int
        public var tileWidth: Int
        public var tileHeight: Int
    }

    public let path: String
    /// The directories this reader can read, in file order.
    public let directories: [Directory]
    private let lock = NSLock()
    private var idle: [_TIFFFile] = []

    /// Opens `path` and lists its readable directories (none is not an error: `directories` is empty).
    /// - Throws: `ImageError.corrupt` with libtiff's messages if the file does not open as a TIFF.
    public init(_ path: String) throws {
        self.path = path
        let (opened, reason) = _TIFFFile.open(path, mode: "rm")
        guard let file = opened else { throw ImageError.corrupt(path: path, reason: "libtiff: \(reason)") }
        var found: [Directory] = []
        var index = 0
        repeat {
            if let d = Self.readable(file, index: index) { found.append(d) }
            index += 1
        } while TIFFReadDirectory(file.handle) == 1 && index < 64
        directories = found
        // Leave the handle on level 0, where most reads go.
        if let first = found.first { _ = TIFFSetDirectory(file.handle, tdir_t(first.index)) }
        idle = [file]
    }

    /// The directory of exactly `width` x `height` pixels, if one is readable.
    public func directory(width: Int, height: Int) -> Directory? {
        directories.first { $0.width == width && $0.height == height }
    }

    private static func readable(_ file: _TIFFFile, index: Int) -> Directory? {
        guard TIFFIsTiled(file.handle) != 0,
              let width = file.field(TIFFTAG_IMAGEWIDTH, as: UInt32.self, defaulted: false),
              let height = file.field(TIFFTAG_IMAGELENGTH, as: UInt32.self, defaulted: false),
              let tileWidth = file.field(TIFFTAG_TILEWIDTH, as: UInt32.self),
              let tileHeight = file.field(TIFFTAG_TILELENGTH, as: UInt32.self),
              width > 0, height > 0, tileWidth > 0, tileHeight > 0 else { return nil }
        let bits = file.field(TIFFTAG_BITSPERSAMPLE, as: UInt16.self) ?? 1
        let samples = file.field(TIFFTAG_SAMPLESPERPIXEL, as: UInt16.self) ?? 1
        let planar = Int32(file.field(TIFFTAG_PLANARCONFIG, as: UInt16.self) ?? 1)
        let orientation = Int32(file.field(TIFFTAG_ORIENTATION, as: UInt16.self) ?? 1)
        let photometric = Int32(file.field(TIFFTAG_PHOTOMETRIC, as: UInt16.self, defaulted: false) ?? UInt16.max)
        let compression = file.field(TIFFTAG_COMPRESSION, as: UInt16.self) ?? 1
        let jpeg = Int32(compression) == COMPRESSION_JPEG
        guard bits == 8, samples == 3, planar == PLANARCONFIG_CONTIG, orientation == ORIENTATION_TOPLEFT,
              photometric == PHOTOMETRIC_RGB || (photometric == PHOTOMETRIC_YCBCR && jpeg),
              TIFFIsCODECConfigured(compression) == 1 else { return nil }
        return Directory(index: index, width: Int(width), height: Int(height), tileWidth: Int(tileWidth), tileHeight: Int(tileHeight))
    }

    private func take() throws -> _TIFFFile {
        lock.lock()
        if let file = idle.popLast() { lock.unlock(); return file }
        lock.unlock()
        let (opened, reason) = _TIFFFile.open(path, mode: "rm")
        guard let file = opened else { throw ImageError.corrupt(path: path, reason: "libtiff: \(reason)") }
        return file
    }

    private func give(_ file: _TIFFFile) {
        lock.lock(); defer { lock.unlock() }
        if idle.count < 4 { idle.append(file) }
    }

    /// The `width` x `height` RGB region of `directory` whose top-left pixel is (`x`, `y`) in that
    /// directory's pixels; white where there is no image.
    /// - Throws: `ImageError.corrupt` naming the file, the directory and the tile libtiff could not decode.
    public func read(_ directory: Directory, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        var out = [UInt8](repeating: 255, count: width * height * 3)
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(x + width, directory.width), y1 = min(y + height, directory.height)
        guard x0 < x1, y0 < y1 else { return Image(width: width, height: height, channels: 3, pixels: out) }
        let file = try take()
        defer { give(file) }
        let tif = file.handle
        if Int(TIFFCurrentDirectory(tif)) != directory.index {
            guard TIFFSetDirectory(tif, tdir_t(directory.index)) == 1 else {
                throw ImageError.corrupt(path: path, reason: "libtiff cannot open directory \(directory.index): \(file.errors)")
            }
        }
        let photometric = Int32(file.field(TIFFTAG_PHOTOMETRIC, as: UInt16.self, defaulted: false) ?? 0)
        if photometric == PHOTOMETRIC_YCBCR { file.set(TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB) }
        let tw = directory.tileWidth, th = directory.tileHeight
        let tileBytes = tw * th * 3
        guard Int(TIFFTileSize(tif)) == tileBytes else {
            throw ImageError.unsupported(path: path, reason: "directory \(directory.index): a tile decodes to \(TIFFTileSize(tif)) bytes, not \(tw)x\(th)x3")
        }
        var counts: UnsafeMutablePointer<UInt64>? = nil
        _ = withUnsafeMutablePointer(to: &counts) { p in withVaList([p]) { TIFFVGetField(tif, UInt32(TIFFTAG_TILEBYTECOUNTS), $0) } }
        var tile = [UInt8](repeating: 0, count: tileBytes)
        for row in (y0 / th)...((y1 - 1) / th) {
            for column in (x0 / tw)...((x1 - 1) / tw) {
                let number = TIFFComputeTile(tif, UInt32(column * tw), UInt32(row * th), 0, 0)
                if let counts, counts[Int(number)] == 0 { continue }
                let got = tile.withUnsafeMutableBytes { TIFFReadEncodedTile(tif, number, $0.baseAddress, tmsize_t(tileBytes)) }
                guard got == tileBytes else {
                    throw ImageError.corrupt(path: path, reason: "libtiff cannot decode tile \(number) of directory \(directory.index): \(file.errors). HINT: the file may be truncated or damaged")
                }
                // The part of this tile inside both the region and the image.
                let cx0 = max(x0, column * tw), cx1 = min(x1, (column + 1) * tw)
                let cy0 = max(y0, row * th), cy1 = min(y1, (row + 1) * th)
                let bytes = (cx1 - cx0) * 3
                tile.withUnsafeBufferPointer { source in
                    out.withUnsafeMutableBufferPointer { target in
                        for sy in cy0..<cy1 {
                            let from = ((sy - row * th) * tw + (cx0 - column * tw)) * 3
                            let to = ((sy - y) * width + (cx0 - x)) * 3
                            (target.baseAddress! + to).update(from: source.baseAddress! + from, count: bytes)
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }
}
