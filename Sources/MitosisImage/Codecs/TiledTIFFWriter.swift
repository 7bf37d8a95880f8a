import CTIFF
import Foundation
import MitosisSupport

/// Pyramidal, tiled, JPEG-compressed TIFF ("whole slide") writing with libtiff 4.5, streamed: the slide is
/// never held in memory.
///
/// Layout: one TIFF directory per level, level 0 first, then levels downsampled by 2, 4, 8, ... until the
/// level's longer side is at most `smallestLevelSide`. Level k is `ceil(width / 2^k) x ceil(height / 2^k)`;
/// each of its pixels is the exact box average of the 2^k x 2^k level-0 pixels it covers (fewer at the
/// right and bottom edges: the average of those that exist), rounded. Every level is tiled
/// (`tileSize` square), `COMPRESSION_JPEG` in `PHOTOMETRIC_YCBCR` (4:2:0) with `JPEGCOLORMODE_RGB`, so
/// libtiff converts from and to RGB, at `jpegQuality`; levels after the first have
/// `SUBFILETYPE = FILETYPE_REDUCEDIMAGE`. With `micronsPerPixel`, each level records its own pixel size
/// (`micronsPerPixel * 2^k`) as X/YResolution in pixels per centimetre with `RESUNIT_CENTIMETER`.
/// ImageDescription and Software name the tool. BigTIFF is used when the uncompressed pyramid exceeds
/// 2 GB (JPEG can then still not overflow classic TIFF's 4 GB offsets), classic TIFF otherwise, unless
/// `bigTIFF` says which.
///
/// OpenSlide 3.4.1 (Debian 12's libopenslide0) opens these files, classic and BigTIFF, as vendor
/// `generic-tiff` with every level (`TiledTIFFWriterTests`). It does **not** derive `openslide.mpp-x` /
/// `openslide.mpp-y` for generic TIFFs: the pixel size is only in `tiff.XResolution` / `tiff.YResolution`
/// (pixels per unit as a float, e.g. "43994.71875" for 0.2273 um/px) with `tiff.ResolutionUnit`
/// ("centimeter"), taken from the first directory, so a reader computes um/px as 10,000 / XResolution
/// (25,400 for "inch"); `openslide.comment` and `tiff.ImageDescription` hold the description. All the
/// properties it lists for such a file: `openslide.comment`, `openslide.level-count`,
/// `openslide.level[k].{downsample,height,width,tile-height,tile-width}`, `openslide.quickhash-1`,
/// `openslide.vendor`, `tiff.ImageDescription`, `tiff.ResolutionUnit`, `tiff.Software`, `tiff.XResolution`,
/// `tiff.YResolution` (later OpenSlide versions were not checked). OpenSlide's `downsample` of a level is
/// the mean of its width and height ratios to level 0, so not exactly 2^k when the size is not a multiple
/// of it (7.96 for level 3 of 1100x700: 138x88).
///
/// How it streams: `region` is asked only for bands of level 0, `width x min(tileSize, rows left)` pixels,
/// top to bottom, each once; that is the bound on any request. Every band is tiled into level 0 and summed
/// into the running row sums of all lower levels, which are written as their own tile rows fill, into one
/// temporary single-directory TIFF per level beside `path`; at the end their compressed tiles are copied
/// unchanged (raw) after level 0 into the final file, written under a temporary name and renamed. Memory
/// is about two level-0 bands (`2 * width * tileSize * 3` bytes, plus under 50 bytes per level-1 column for
/// the sums) and a tile, whatever the height; the temporary files take about a third of the final size.
public enum TiledTIFFWriter {
    /// One level of the pyramid: its size in pixels and its downsample from level 0 (a power of 2).
    public struct Level: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var downsample: Int
        public init(width: Int, height: Int, downsample: Int) {
            self.width = width; self.height = height; self.downsample = downsample
        }
    }

    /// The levels a `width x height` slide gets: level 0, then halvings (rounded up) while the previous
    /// level's longer side exceeds `smallestLevelSide`.
    public static func levels(width: Int, height: Int, smallestLevelSide: Int = 512) -> [Level] {
        var levels = [Level(width: width, height: height, downsample: 1)]
        while let last = levels.last, max(last.width, last.height) > max(1, smallestLevelSide) {
            let d = last.downsample * 2
            levels.append(Level(width: (width + d - 1) / d, height: (height + d - 1) / d, downsample: d))
        }
        return levels
    }

    /// Writes a `width x height` slide to `path`, pulling level-0 pixels from `region` band by band.
    ///
    /// - Parameters:
    ///   - tileSize: tile side of every level, a positive multiple of 16 (TIFF's rule for tiles).
    ///   - jpegQuality: 1...100.
    ///   - micronsPerPixel: level 0's pixel size, recorded in the resolution tags; nil records none.
    ///   - description: the ImageDescription; nil: "mitosis <version> TiledTIFFWriter".
    ///   - bigTIFF: force BigTIFF (true) or classic TIFF (false); nil chooses by size.
    ///   - region: RGB level-0 pixels (`Image` of 3 channels; 1 or 4 are converted) of exactly the rectangle
    ///     asked: `x = 0`, full `width`, at most `tileSize` rows.
    ///   - progress: called after each level-0 band with (bands done, bands in all).
    /// - Returns: the levels written.
    /// - Throws: `ImageError.cannotWrite` naming `path` (bad parameters, libtiff's messages, a region of the
    ///   wrong size), or whatever `region` throws; nothing is left at `path` or beside it then.
    @discardableResult
    public static func write(width: Int, height: Int, to path: String, tileSize: Int = 256, jpegQuality: Int = 90,
                             micronsPerPixel: Double?, smallestLevelSide: Int = 512, description: String? = nil,
                             bigTIFF: Bool? = nil,
                             region: (_ x: Int, _ y: Int, _ width: Int, _ height: Int) throws -> Image,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [Level] {
        func fail(_ reason: String) -> ImageError { .cannotWrite(path: path, reason: reason) }
        guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
            throw fail("a slide cannot be \(width)x\(height) pixels")
        }
        guard tileSize >= 16, tileSize % 16 == 0 else { throw fail("tile size must be a positive multiple of 16, got \(tileSize)") }
        guard (1...100).contains(jpegQuality) else { throw fail("JPEG quality must be 1...100, got \(jpegQuality)") }
        if let um = micronsPerPixel, !(um > 0 && um.isFinite) { throw fail("pixel size must be positive, got \(um) um") }
        let levels = levels(width: width, height: height, smallestLevelSide: smallestLevelSide)
        let raw = levels.reduce(0) { $0 + $1.width * $1.height * 3 }
        let options = _TiledOptions(tileSize: tileSize, quality: jpegQuality, micronsPerPixel: micronsPerPixel,
                                    description: description ?? "mitosis \(MitosisVersion.string) TiledTIFFWriter",
                                    mode: (bigTIFF ?? (raw > 1 << 31)) ? "w8" : "w", path: path)
        try ImageIO.writeAtomically(path) { temporary in
            let folder = (temporary as NSString).deletingLastPathComponent
            let stem = (folder.isEmpty ? "" : folder + "/") + "." + (path as NSString).lastPathComponent
            let scratch = levels.dropFirst().map { "\(stem).level\($0.downsample)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tif" }
            defer { for file in scratch { unlink(file) } }
            try writePyramid(levels, to: temporary, scratch: scratch, options: options, region: region, progress: progress)
        }
        return levels
    }

    /// Level 0 into `file`, the lower levels into `scratch` files, then those copied after level 0.
    private static func writePyramid(_ levels: [Level], to file: String, scratch: [String], options: _TiledOptions,
                                     region: (Int, Int, Int, Int) throws -> Image,
                                     progress: ((Int, Int) -> Void)?) throws {
        let top = try _TiledLevelFile(file, levels[0], index: 0, options: options)
        // The reducers, level 1 first; each feeds its row sums to the next.
        var reducers: [_LevelReducer] = []
        for (k, level) in levels.enumerated().dropFirst() {
            let output = try _TiledLevelFile(scratch[k - 1], level, index: k, options: options)
            reducers.append(_LevelReducer(level: level, levelZeroWidth: levels[0].width, inputHeight: levels[k - 1].height, output: output))
        }
        for (a, b) in zip(reducers, reducers.dropFirst()) { a.next = b }
        let (width, height, t) = (levels[0].width, levels[0].height, options.tileSize)
        let bands = (height + t - 1) / t
        for band in 0..<bands {
            let y0 = band * t, rows = min(t, height - y0)
            var image = try region(0, y0, width, rows)
            guard image.width == width, image.height == rows else {
                throw ImageError.cannotWrite(path: options.path, reason: "the region for (0, \(y0), \(width), \(rows)) came back \(image.width)x\(image.height)")
            }
            if image.channels != 3 { image = image.convertedToChannels(3) }
            try image.pixels.withUnsafeBufferPointer { pixels in
                try top.writeTileRow(pixels, top: y0, rows: rows)
                if let first = reducers.first {
                    for row in 0..<rows {
                        try first.add(UnsafeBufferPointer(rebasing: pixels[(row * width * 3)..<((row + 1) * width * 3)]), levelZeroRows: 1)
                    }
                }
            }
            progress?(band + 1, bands)
        }
        try top.finishDirectory()
        for reducer in reducers { try reducer.output.finishDirectory() }
        reducers.removeAll()
        for (k, level) in levels.enumerated().dropFirst() {
            try top.appendRawCopy(of: scratch[k - 1], level, index: k)
        }
    }
}

/// What every level's directory shares. Not API.
struct _TiledOptions {
    var tileSize: Int
    var quality: Int
    var micronsPerPixel: Double?
    var description: String
    var mode: String
    /// The user's path, for error messages.
    var path: String
}

/// A TIFF file being written one directory at a time, one tile row at a time. Not API.
final class _TiledLevelFile {
    private let tiff: _TIFFFile
    private let options: _TiledOptions
    private let level: TiledTIFFWriter.Level
    private var tile: [UInt8]

    init(_ file: String, _ level: TiledTIFFWriter.Level, index: Int, options: _TiledOptions) throws {
        let (opened, reason) = _TIFFFile.open(file, mode: options.mode)
        guard let tiff = opened else { throw ImageError.cannotWrite(path: options.path, reason: "libtiff: \(reason)") }
        self.tiff = tiff
        self.options = options
        self.level = level
        tile = [UInt8](repeating: 0, count: options.tileSize * options.tileSize * 3)
        try setTags(level, index: index)
    }

    private func fail() -> ImageError { .cannotWrite(path: options.path, reason: "libtiff: \(tiff.errors)") }

    /// The tags of a JPEG-in-YCbCr tiled RGB directory for `level` (the `index`th).
    private func setTags(_ level: TiledTIFFWriter.Level, index: Int) throws {
        var ok = tiff.set(TIFFTAG_IMAGEWIDTH, UInt32(level.width))
            && tiff.set(TIFFTAG_IMAGELENGTH, UInt32(level.height))
            && tiff.set(TIFFTAG_TILEWIDTH, UInt32(options.tileSize))
            && tiff.set(TIFFTAG_TILELENGTH, UInt32(options.tileSize))
            && tiff.set(TIFFTAG_BITSPERSAMPLE, Int32(8))
            && tiff.set(TIFFTAG_SAMPLESPERPIXEL, Int32(3))
            && tiff.set(TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG)
            && tiff.set(TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT)
            && tiff.set(TIFFTAG_COMPRESSION, COMPRESSION_JPEG)
            && tiff.set(TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR)
            && tiff.set(TIFFTAG_JPEGQUALITY, Int32(options.quality))
            // A pseudo-tag: must follow the compression; libtiff then takes and returns RGB.
            && tiff.set(TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB)
            && options.description.withCString { tiff.set(TIFFTAG_IMAGEDESCRIPTION, $0) }
            && "mitosis \(MitosisVersion.string)".withCString { tiff.set(TIFFTAG_SOFTWARE, $0) }
        if ok, index > 0 { ok = tiff.set(TIFFTAG_SUBFILETYPE, UInt32(FILETYPE_REDUCEDIMAGE)) }
        if ok, let um = options.micronsPerPixel {
            // Rational tags go through C varargs as double; pixels per centimetre at this level.
            let perCentimetre = 10_000 / (um * Double(level.downsample))
            ok = tiff.set(TIFFTAG_XRESOLUTION, perCentimetre) && tiff.set(TIFFTAG_YRESOLUTION, perCentimetre)
                && tiff.set(TIFFTAG_RESOLUTIONUNIT, Int32(RESUNIT_CENTIMETER))
        }
        guard ok else { throw fail() }
    }

    /// Encodes the tiles of the `rows` RGB rows starting at row `top` (a multiple of the tile size);
    /// partial tiles at the edges are padded by repeating the last column and row.
    func writeTileRow(_ pixels: UnsafeBufferPointer<UInt8>, top: Int, rows: Int) throws {
        let t = options.tileSize, width = level.width
        for x0 in stride(from: 0, to: width, by: t) {
            let columns = min(t, width - x0)
            try tile.withUnsafeMutableBufferPointer { out in
                for row in 0..<t {
                    let source = pixels.baseAddress! + (min(row, rows - 1) * width + x0) * 3
                    let target = out.baseAddress! + row * t * 3
                    target.update(from: source, count: columns * 3)
                    for x in columns..<t { (target + x * 3).update(from: source + (columns - 1) * 3, count: 3) }
                }
                let index = TIFFComputeTile(tiff.handle, UInt32(x0), UInt32(top), 0, 0)
                if TIFFWriteEncodedTile(tiff.handle, index, out.baseAddress, tmsize_t(out.count)) < 0 { throw fail() }
            }
        }
    }

    /// Ends the current directory (the next one, if any, starts empty).
    func finishDirectory() throws {
        guard TIFFWriteDirectory(tiff.handle) == 1 else { throw fail() }
    }

    /// Appends the first directory of `file` (written by another `_TiledLevelFile` with the same options)
    /// as the next directory, copying its compressed tiles and JPEG tables unchanged.
    func appendRawCopy(of file: String, _ level: TiledTIFFWriter.Level, index: Int) throws {
        let (opened, reason) = _TIFFFile.open(file, mode: "r")
        guard let source = opened else { throw ImageError.cannotWrite(path: options.path, reason: "libtiff: \(reason)") }
        try setTags(level, index: index)
        var count: UInt32 = 0
        var tables: UnsafeMutablePointer<UInt8>? = nil
        let found = withUnsafeMutablePointer(to: &count) { c in
            withUnsafeMutablePointer(to: &tables) { p in
                withVaList([c, p]) { TIFFVGetField(source.handle, UInt32(TIFFTAG_JPEGTABLES), $0) }
            }
        }
        if found == 1, count > 0, let tables, !tiff.set(TIFFTAG_JPEGTABLES, count, tables) { throw fail() }
        var buffer = [UInt8]()
        for i in 0..<TIFFNumberOfTiles(source.handle) {
            let size = Int(TIFFGetStrileByteCount(source.handle, i))
            if buffer.count < size { buffer = [UInt8](repeating: 0, count: size) }
            try buffer.withUnsafeMutableBytes { raw in
                let got = TIFFReadRawTile(source.handle, i, raw.baseAddress, tmsize_t(size))
                guard got == size else {
                    throw ImageError.cannotWrite(path: options.path, reason: "reading back level \(index), tile \(i): libtiff: \(source.errors)")
                }
                if TIFFWriteRawTile(tiff.handle, i, raw.baseAddress, got) < 0 { throw fail() }
            }
        }
        try finishDirectory()
    }
}

/// One lower level being built from the rows of the level above: running sums of level-0 samples over
/// two input rows, averaged into an output row when complete, which goes to the level's tile band and,
/// as sums, to the next level. Not API.
final class _LevelReducer {
    let output: _TiledLevelFile
    var next: _LevelReducer?
    private let width: Int, inputWidth: Int, inputHeight: Int, tileSize: Int, levelHeight: Int
    /// Level-0 columns each output column covers.
    private let columnWeights: [Int]
    private var sums: [UInt64]
    private var levelZeroRows = 0, pendingInputs = 0, inputsSeen = 0
    private var band: [UInt8]
    private var bandRows = 0, bandTop = 0

    init(level: TiledTIFFWriter.Level, levelZeroWidth: Int, inputHeight: Int, output: _TiledLevelFile) {
        self.output = output
        width = level.width
        inputWidth = (levelZeroWidth + level.downsample / 2 - 1) / (level.downsample / 2)
        self.inputHeight = inputHeight
        levelHeight = level.height
        tileSize = output.tileSize
        columnWeights = (0..<level.width).map { min(level.downsample, levelZeroWidth - $0 * level.downsample) }
        sums = [UInt64](repeating: 0, count: level.width * 3)
        band = [UInt8](repeating: 0, count: tileSize * level.width * 3)
    }

    /// Adds one input row (pixels of level 0, or sums of the level above) covering `levelZeroRows` rows.
    func add<T: UnsignedInteger>(_ row: UnsafeBufferPointer<T>, levelZeroRows rows: Int) throws {
        sums.withUnsafeMutableBufferPointer { s in
            for j in 0..<width {
                let a = 2 * j * 3, b = a + 3
                for c in 0..<3 { s[j * 3 + c] += UInt64(row[a + c]) }
                if 2 * j + 1 < inputWidth { for c in 0..<3 { s[j * 3 + c] += UInt64(row[b + c]) } }
            }
        }
        levelZeroRows += rows
        pendingInputs += 1
        inputsSeen += 1
        if pendingInputs == 2 || inputsSeen == inputHeight { try emitRow() }
    }

    private func emitRow() throws {
        let rows = UInt64(levelZeroRows)
        band.withUnsafeMutableBufferPointer { out in
            let base = bandRows * width * 3
            for j in 0..<width {
                let n = rows * UInt64(columnWeights[j])
                for c in 0..<3 { out[base + j * 3 + c] = UInt8((sums[j * 3 + c] + n / 2) / n) }
            }
        }
        bandRows += 1
        if let next { try sums.withUnsafeBufferPointer { try next.add($0, levelZeroRows: levelZeroRows) } }
        for i in sums.indices { sums[i] = 0 }
        levelZeroRows = 0
        pendingInputs = 0
        if bandRows == tileSize || bandTop + bandRows == levelHeight {
            try band.withUnsafeBufferPointer { try output.writeTileRow($0, top: bandTop, rows: bandRows) }
            bandTop += bandRows
            bandRows = 0
        }
    }
}

extension _TiledLevelFile {
    var tileSize: Int { options.tileSize }
}
