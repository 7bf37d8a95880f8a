import CTIFF
import Foundation

/// Single-channel 32-bit float TIFF (`SAMPLEFORMAT_IEEEFP`), for maps that must keep full precision,
/// such as `<name>_logodds.tif`. ImageJ/Fiji, QuPath, tifffile and Pillow (mode "F") read these files.
///
/// Written as Deflate-compressed strips with the floating-point predictor (3), atomically. Reading accepts
/// any one-sample 32-bit float TIFF in strips or tiles, chunky, top-left orientation.
public enum FloatTIFF {
    /// Writes `plane` to `path` atomically.
    /// - Throws: `ImageError.cannotWrite` naming `path`.
    public static func write(_ plane: FloatPlane, to path: String) throws {
        guard plane.width > 0, plane.height > 0 else {
            throw ImageError.cannotWrite(path: path, reason: "a float TIFF cannot hold a \(plane.width)x\(plane.height) map")
        }
        try ImageIO.writeAtomically(path) { try encode(plane, to: $0, reportedAs: path) }
    }

    private static func encode(_ plane: FloatPlane, to file: String, reportedAs path: String) throws {
        let (opened, reason) = _TIFFFile.open(file, mode: "w")
        guard let tiff = opened else { throw ImageError.cannotWrite(path: path, reason: "libtiff: \(reason)") }
        let rowBytes = plane.width * 4
        let rowsPerStrip = max(1, min(plane.height, 65536 / rowBytes))
        let ok = tiff.set(TIFFTAG_IMAGEWIDTH, UInt32(plane.width))
            && tiff.set(TIFFTAG_IMAGELENGTH, UInt32(plane.height))
            && tiff.set(TIFFTAG_BITSPERSAMPLE, Int32(32))
            && tiff.set(TIFFTAG_SAMPLESPERPIXEL, Int32(1))
            && tiff.set(TIFFTAG_SAMPLEFORMAT, Int32(SAMPLEFORMAT_IEEEFP))
            && tiff.set(TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK)
            && tiff.set(TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG)
            && tiff.set(TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT)
            && tiff.set(TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE)
            && tiff.set(TIFFTAG_PREDICTOR, Int32(PREDICTOR_FLOATINGPOINT))
            && tiff.set(TIFFTAG_ROWSPERSTRIP, UInt32(rowsPerStrip))
        guard ok else { throw ImageError.cannotWrite(path: path, reason: "libtiff: \(tiff.errors)") }
        // libtiff's predictor works in place on the buffer it is given, so each strip gets a fresh copy.
        for (strip, y0) in stride(from: 0, to: plane.height, by: rowsPerStrip).enumerated() {
            let rows = min(rowsPerStrip, plane.height - y0)
            var chunk = Array(plane.values[(y0 * plane.width)..<((y0 + rows) * plane.width)])
            let written = chunk.withUnsafeMutableBytes {
                TIFFWriteEncodedStrip(tiff.handle, UInt32(strip), $0.baseAddress!, tmsize_t(rows * rowBytes))
            }
            if written < 0 { throw ImageError.cannotWrite(path: path, reason: "libtiff: \(tiff.errors)") }
        }
        guard TIFFFlush(tiff.handle) == 1 else { throw ImageError.cannotWrite(path: path, reason: "libtiff: \(tiff.errors)") }
    }

    /// Reads a one-sample 32-bit float TIFF.
    /// - Throws: `ImageError.corrupt` for damaged files, `.unsupported` for any other kind of TIFF
    ///   (the message says what was found), both naming `path`.
    public static func read(_ path: String) throws -> FloatPlane {
        let (opened, reason) = _TIFFFile.open(path, mode: "r")
        guard let file = opened else { throw ImageError.corrupt(path: path, reason: "libtiff: \(reason)") }
        guard let w = file.field(TIFFTAG_IMAGEWIDTH, as: UInt32.self, defaulted: false),
              let h = file.field(TIFFTAG_IMAGELENGTH, as: UInt32.self, defaulted: false), w > 0, h > 0 else {
            throw ImageError.corrupt(path: path, reason: "missing or zero image width/length")
        }
        let width = Int(w), height = Int(h)
        guard width * height <= _maxDecodedPixels else {
            throw ImageError.unsupported(path: path, reason: "float TIFF of \(width)x\(height) pixels is too large")
        }
        let bits = file.field(TIFFTAG_BITSPERSAMPLE, as: UInt16.self) ?? 1
        let samples = file.field(TIFFTAG_SAMPLESPERPIXEL, as: UInt16.self) ?? 1
        let format = Int32(file.field(TIFFTAG_SAMPLEFORMAT, as: UInt16.self) ?? 1)
        let orientation = Int32(file.field(TIFFTAG_ORIENTATION, as: UInt16.self) ?? 1)
        guard bits == 32, samples == 1, format == SAMPLEFORMAT_IEEEFP, orientation == ORIENTATION_TOPLEFT else {
            throw ImageError.unsupported(path: path, reason: "expected a one-sample 32-bit float map, found \(samples) sample(s) "
                + "of \(bits) bits, sample format \(format); write it with `mitosis probmap` or as float32 grayscale")
        }
        var values = [Float](repeating: 0, count: width * height)
        if TIFFIsTiled(file.handle) != 0 {
            guard let tw = file.field(TIFFTAG_TILEWIDTH, as: UInt32.self).map(Int.init),
                  let th = file.field(TIFFTAG_TILELENGTH, as: UInt32.self).map(Int.init), tw > 0, th > 0 else {
                throw ImageError.corrupt(path: path, reason: "tiled TIFF without tile size")
            }
            var tile = [Float](repeating: 0, count: tw * th)
            for ty in stride(from: 0, to: height, by: th) {
                for tx in stride(from: 0, to: width, by: tw) {
                    let index = TIFFComputeTile(file.handle, UInt32(tx), UInt32(ty), 0, 0)
                    let got = tile.withUnsafeMutableBytes { TIFFReadEncodedTile(file.handle, index, $0.baseAddress!, tmsize_t($0.count)) }
                    if got < 0 { throw ImageError.corrupt(path: path, reason: "libtiff: \(file.errors)") }
                    for y in ty..<min(height, ty + th) {
                        for x in tx..<min(width, tx + tw) { values[y * width + x] = tile[(y - ty) * tw + (x - tx)] }
                    }
                }
            }
        } else {
            let rowsPerStrip = Int(min(UInt32(height), file.field(TIFFTAG_ROWSPERSTRIP, as: UInt32.self) ?? UInt32(height)))
            try values.withUnsafeMutableBytes { raw in
                for (strip, y0) in stride(from: 0, to: height, by: max(1, rowsPerStrip)).enumerated() {
                    let bytes = min(rowsPerStrip, height - y0) * width * 4
                    let got = TIFFReadEncodedStrip(file.handle, UInt32(strip), raw.baseAddress! + y0 * width * 4, tmsize_t(bytes))
                    if got < 0 { throw ImageError.corrupt(path: path, reason: "libtiff: \(file.errors)") }
                }
            }
        }
        return FloatPlane(width: width, height: height, values: values)
    }
}
