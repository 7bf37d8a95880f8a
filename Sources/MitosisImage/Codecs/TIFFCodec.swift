import CTIFF

/// TIFF reading and writing with libtiff 4.5 (first image of a file only).
///
/// Reading takes one of two paths:
/// - direct: 8-bit, chunky (interleaved), gray (`MINISBLACK`, 1 sample) or RGB (3 samples, or 4 with an
///   extra sample), top-left orientation, any compression except JPEG-in-YCbCr; strips or tiles are decoded
///   with `TIFFReadEncodedStrip/Tile` and copied unchanged, so an extra (alpha) sample is kept as stored;
/// - everything else (JPEG/YCbCr, palette, min-is-white, 16-bit, planar-separate, gray+alpha, other
///   orientations) goes through libtiff's `TIFFReadRGBAImageOriented` asked for top-left orientation.
///   It yields 1 channel for gray without alpha, 4 if there is an extra sample, else 3. libtiff
///   premultiplies *unassociated* alpha on this path, and scales 16-bit samples to 8-bit itself.
///
/// Writing: gray, RGB or RGBA (alpha tagged as unassociated), 8-bit chunky strips of about 8 KB,
/// uncompressed, LZW or Deflate, the latter two with horizontal differencing (predictor 2).
public enum TIFFCodec {
    /// Reads the first image of the TIFF file at `path`.
    /// - Throws: `ImageError.corrupt` (with libtiff's messages) for damaged or truncated files,
    ///   `.unsupported` for images libtiff cannot turn into 8-bit RGBA or that are too large.
    public static func read(_ path: String) throws -> Image {
        let (opened, reason) = _TIFFFile.open(path, mode: "r")
        guard let file = opened else { throw ImageError.corrupt(path: path, reason: "libtiff: \(reason)") }
        guard let width = file.field(TIFFTAG_IMAGEWIDTH, as: UInt32.self, defaulted: false),
              let height = file.field(TIFFTAG_IMAGELENGTH, as: UInt32.self, defaulted: false),
              width > 0, height > 0 else {
            throw ImageError.corrupt(path: path, reason: "missing or zero image width/length")
        }
        guard Int(width) * Int(height) <= _maxDecodedPixels else {
            throw ImageError.unsupported(path: path, reason: "TIFF of \(width)x\(height) pixels is too large")
        }
        let bits = file.field(TIFFTAG_BITSPERSAMPLE, as: UInt16.self) ?? 1
        let samples = Int(file.field(TIFFTAG_SAMPLESPERPIXEL, as: UInt16.self) ?? 1)
        let photometric = Int32(file.field(TIFFTAG_PHOTOMETRIC, as: UInt16.self, defaulted: false) ?? UInt16.max)
        let planar = Int32(file.field(TIFFTAG_PLANARCONFIG, as: UInt16.self) ?? 1)
        let orientation = Int32(file.field(TIFFTAG_ORIENTATION, as: UInt16.self) ?? 1)
        let extras = file.extraSampleCount
        let direct = bits == 8 && planar == PLANARCONFIG_CONTIG && orientation == ORIENTATION_TOPLEFT
            && ((photometric == PHOTOMETRIC_MINISBLACK && samples == 1)
                || (photometric == PHOTOMETRIC_RGB && (samples == 3 || (samples == 4 && extras == 1))))
        let pixels: [UInt8]
        let channels: Int
        if direct {
            channels = samples
            pixels = try readDirect(file, width: Int(width), height: Int(height), channels: channels, path: path)
        } else {
            let gray = (photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE)
            channels = extras > 0 ? 4 : (gray && samples == 1 ? 1 : 3)
            pixels = try readRGBA(file, width: Int(width), height: Int(height), channels: channels, path: path)
        }
        return Image(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// Decodes every strip or tile and copies its rows into place.
    private static func readDirect(_ file: _TIFFFile, width: Int, height: Int, channels: Int,
                                   path: String) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let rowBytes = width * channels
        if TIFFIsTiled(file.handle) != 0 {
            guard let tileWidth = file.field(TIFFTAG_TILEWIDTH, as: UInt32.self).map(Int.init),
                  let tileHeight = file.field(TIFFTAG_TILELENGTH, as: UInt32.self).map(Int.init),
                  tileWidth > 0, tileHeight > 0 else {
                throw ImageError.corrupt(path: path, reason: "tiled TIFF without tile size")
            }
            let tileBytes = tileWidth * tileHeight * channels
            var tile = [UInt8](repeating: 0, count: tileBytes)
            for y0 in stride(from: 0, to: height, by: tileHeight) {
                for x0 in stride(from: 0, to: width, by: tileWidth) {
                    let index = TIFFComputeTile(file.handle, UInt32(x0), UInt32(y0), 0, 0)
                    let got = tile.withUnsafeMutableBytes {
                        TIFFReadEncodedTile(file.handle, index, $0.baseAddress, tmsize_t(tileBytes))
                    }
                    guard got >= tileBytes else {
                        throw ImageError.corrupt(path: path, reason: "tile \(index): libtiff: \(file.errors)")
                    }
                    let columns = min(tileWidth, width - x0) * channels
                    for row in 0..<min(tileHeight, height - y0) {
                        let target = (y0 + row) * rowBytes + x0 * channels
                        let source = row * tileWidth * channels
                        pixels.replaceSubrange(target..<target + columns, with: tile[source..<source + columns])
                    }
                }
            }
        } else {
            let rowsPerStrip = min(Int(file.field(TIFFTAG_ROWSPERSTRIP, as: UInt32.self) ?? UInt32.max), height)
            guard rowsPerStrip > 0 else { throw ImageError.corrupt(path: path, reason: "RowsPerStrip is 0") }
            for (strip, y0) in stride(from: 0, to: height, by: rowsPerStrip).enumerated() {
                let rows = min(rowsPerStrip, height - y0)
                let need = rows * rowBytes
                let got = pixels.withUnsafeMutableBytes {
                    TIFFReadEncodedStrip(file.handle, UInt32(strip), $0.baseAddress! + y0 * rowBytes, tmsize_t(need))
                }
                guard got >= need else {
                    throw ImageError.corrupt(path: path, reason: "strip \(strip): libtiff: \(file.errors)")
                }
            }
        }
        return pixels
    }

    /// libtiff's general RGBA path, top-left orientation, unpacked to `channels` samples per pixel.
    private static func readRGBA(_ file: _TIFFFile, width: Int, height: Int, channels: Int,
                                 path: String) throws -> [UInt8] {
        var message = [CChar](repeating: 0, count: 1024)
        guard TIFFRGBAImageOK(file.handle, &message) == 1 else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ImageError.unsupported(path: path, reason: "libtiff: \(reason)")
        }
        var raster = [UInt32](repeating: 0, count: width * height)
        let ok = raster.withUnsafeMutableBufferPointer {
            TIFFReadRGBAImageOriented(file.handle, UInt32(width), UInt32(height), $0.baseAddress,
                                      ORIENTATION_TOPLEFT, 1)
        }
        guard ok == 1 else { throw ImageError.corrupt(path: path, reason: "libtiff: \(file.errors)") }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for i in 0..<width * height {
            let abgr = raster[i]  // R in the low byte, then G, B, A (TIFFGetR/G/B/A).
            for c in 0..<channels {
                pixels[i * channels + c] = UInt8(truncatingIfNeeded: abgr >> (8 * UInt32(c)))
            }
        }
        return pixels
    }

    /// The pixel size in um recorded in the first directory's resolution tags (XResolution with
    /// ResolutionUnit inch or centimetre), or nil when the file records none (or no unit).
    public static func pixelSizeMicrons(_ path: String) -> Double? {
        let (opened, _) = _TIFFFile.open(path, mode: "r")
        guard let tiff = opened else { return nil }
        var x: Float = 0
        let found = withUnsafeMutablePointer(to: &x) { pointer in
            withVaList([pointer]) { TIFFVGetField(tiff.handle, UInt32(TIFFTAG_XRESOLUTION), $0) }
        }
        guard found == 1, x > 0, x.isFinite, let unit = tiff.field(TIFFTAG_RESOLUTIONUNIT, as: UInt16.self, defaulted: false) else {
            return nil
        }
        switch Int32(unit) {
        case RESUNIT_INCH: return 25_400 / Double(x)
        case RESUNIT_CENTIMETER: return 10_000 / Double(x)
        default: return nil
        }
    }

    /// Writes `image` as a TIFF to `file`; errors name `path` (the user's final path).
    /// - Throws: `ImageError.cannotWrite` with libtiff's messages.
    public static func write(_ image: Image, to file: String, compression: ImageWriteOptions.TIFFCompression,
                             pixelSizeMicrons: Double? = nil, reportedAs path: String) throws {
        guard image.width > 0, image.height > 0 else {
            throw ImageError.cannotWrite(path: path, reason: "TIFF cannot hold a \(image.width)x\(image.height) image")
        }
        guard image.channels != 2 else { throw ImageError.cannotWrite(path: path, reason: "2-channel image") }
        let (opened, reason) = _TIFFFile.open(file, mode: "w")
        guard let tiff = opened else { throw ImageError.cannotWrite(path: path, reason: "libtiff: \(reason)") }
        let scheme: Int32
        switch compression {
        case .none: scheme = COMPRESSION_NONE
        case .lzw: scheme = COMPRESSION_LZW
        case .deflate: scheme = COMPRESSION_ADOBE_DEFLATE
        }
        var ok = tiff.set(TIFFTAG_IMAGEWIDTH, UInt32(image.width))
            && tiff.set(TIFFTAG_IMAGELENGTH, UInt32(image.height))
            && tiff.set(TIFFTAG_BITSPERSAMPLE, Int32(8))
            && tiff.set(TIFFTAG_SAMPLESPERPIXEL, Int32(image.channels))
            && tiff.set(TIFFTAG_PHOTOMETRIC, image.channels == 1 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB)
            && tiff.set(TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG)
            && tiff.set(TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT)
            && tiff.set(TIFFTAG_COMPRESSION, scheme)
        if ok && compression != .none { ok = tiff.set(TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL) }
        if ok && image.channels == 4 {
            var kinds: [UInt16] = [UInt16(EXTRASAMPLE_UNASSALPHA)]
            ok = kinds.withUnsafeMutableBufferPointer { tiff.set(TIFFTAG_EXTRASAMPLES, Int32(1), $0.baseAddress!) }
        }
        if ok, let um = pixelSizeMicrons, um > 0, um.isFinite {
            // Rational tags go through C varargs as double; pixels per centimetre.
            ok = tiff.set(TIFFTAG_XRESOLUTION, 10_000 / um) && tiff.set(TIFFTAG_YRESOLUTION, 10_000 / um)
                && tiff.set(TIFFTAG_RESOLUTIONUNIT, Int32(RESUNIT_CENTIMETER))
        }
        let rowBytes = image.width * image.channels
        let rowsPerStrip = max(1, min(image.height, 8192 / max(rowBytes, 1)))
        if ok { ok = tiff.set(TIFFTAG_ROWSPERSTRIP, UInt32(rowsPerStrip)) }
        guard ok else { throw ImageError.cannotWrite(path: path, reason: "libtiff: \(tiff.errors)") }
        var pixels = image.pixels
        try pixels.withUnsafeMutableBytes { raw in
            for (strip, y0) in stride(from: 0, to: image.height, by: rowsPerStrip).enumerated() {
                let bytes = min(rowsPerStrip, image.height - y0) * rowBytes
                if TIFFWriteEncodedStrip(tiff.handle, UInt32(strip), raw.baseAddress! + y0 * rowBytes, tmsize_t(bytes)) < 0 {
                    throw ImageError.cannotWrite(path: path, reason: "libtiff: \(tiff.errors)")
                }
            }
        }
        guard TIFFFlush(tiff.handle) == 1 else {
            throw ImageError.cannotWrite(path: path, reason: "libtiff: \(tiff.errors)")
        }
    }
}
