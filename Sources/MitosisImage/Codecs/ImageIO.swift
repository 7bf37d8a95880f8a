import Foundation
import MitosisSupport

/// Reading and writing images: one entry point each, format chosen by content (read) or extension (write).
///
/// ```swift
/// let tile = try ImageIO.read("01_01.tif")          // TIFF, PNG or JPEG, whatever the name says
/// try ImageIO.write(tile, to: "01_01_small.png")    // PNG because of the extension
/// ```
public enum ImageIO {
    /// Decodes the image at `path`, choosing the codec from the file's magic bytes (not its extension).
    ///
    /// Results are 8-bit with 1 (gray), 3 (RGB) or 4 (RGBA) channels; see `PNGCodec`, `TIFFCodec` and
    /// `JPEGCodec` for how each format's variants map onto those.
    /// - Throws: `ImageError` naming `path` for a missing, empty, truncated, corrupt or unsupported file.
    public static func read(_ path: String) throws -> Image {
        let bytes = try readBytes(path)
        guard let format = ImageFormat(magic: bytes) else {
            let head = bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw ImageError.unsupported(path: path, reason: "unrecognised magic bytes \(head)")
        }
        switch format {
        case .png: return try PNGCodec.decode(bytes, path: path)
        case .jpeg: return try JPEGCodec.decode(bytes, path: path)
        case .tiff: return try TIFFCodec.read(path)
        }
    }

    /// Encodes `image` to `path` atomically: the bytes go to a temporary file in the same folder, which is
    /// then renamed over `path`, so an interrupted run never leaves a half-written image.
    ///
    /// - Parameter format: the format to write; `nil` infers it from the extension of `path`.
    /// - Throws: `ImageError.unsupported` for an unknown extension, `.cannotWrite` for I/O failures or an
    ///   image the format cannot hold (e.g. RGBA as JPEG is written without alpha; PNG/TIFF hold 1/3/4);
    ///   `FileWriteError` when the disk is full.
    public static func write(_ image: Image, to path: String, format: ImageFormat? = nil,
                             options: ImageWriteOptions = ImageWriteOptions()) throws {
        guard let format = format ?? ImageFormat(extensionOf: path) else {
            throw ImageError.unsupported(path: path, reason: "cannot infer a format from the extension "
                + "(use .png, .tif, .tiff, .jpg or .jpeg, or pass format:)")
        }
        try writeAtomically(path) { temporary in
            switch format {
            case .png:
                try writeBytes(PNGCodec.encode(image, compressionLevel: options.pngCompressionLevel, path: path),
                               to: temporary, reportedAs: path)
            case .jpeg:
                try writeBytes(JPEGCodec.encode(image, quality: options.jpegQuality, path: path),
                               to: temporary, reportedAs: path)
            case .tiff:
                try TIFFCodec.write(image, to: temporary, compression: options.tiffCompression,
                                    pixelSizeMicrons: options.tiffPixelSizeMicrons, reportedAs: path)
            }
        }
    }

    /// The pixel size in um that the image file records (TIFF resolution tags), or nil.
    public static func pixelSizeMicrons(_ path: String) -> Double? {
        guard ImageFormat(extensionOf: path) == .tiff else { return nil }
        return TIFFCodec.pixelSizeMicrons(path)
    }

    /// The whole file as bytes; throws `.cannotRead` / `.empty`.
    static func readBytes(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError.cannotRead(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw ImageError.cannotRead(path: path, reason: "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageError.cannotRead(path: path, reason: error.localizedDescription)
        }
        if data.isEmpty { throw ImageError.empty(path: path) }
        return [UInt8](data)
    }

    /// Writes `bytes` to `temporary`; failures are reported against the user's `path`: a full disk as the
    /// `FileWriteError` that says so, anything else as `ImageError.cannotWrite`.
    static func writeBytes(_ bytes: [UInt8], to temporary: String, reportedAs path: String) throws {
        do {
            try bytes.withUnsafeBytes { try AtomicFile.writeAll($0, to: temporary, reportedAs: path) }
        } catch let error as FileWriteError where !error.diskFull {
            throw ImageError.cannotWrite(path: path, reason: error.reason)
        }
    }

    /// Calls `body` with a temporary path beside `path`, then renames it to `path`; removes it on failure.
    /// A TIFF write that failed because the disk is full (libtiff says only "write error") becomes a
    /// `FileWriteError` that says so, with the space left.
    static func writeAtomically(_ path: String, _ body: (String) throws -> Void) throws {
        do {
            try AtomicFile.write(path, createFolder: false, body)   // a missing folder stays the codec's error
        } catch let ImageError.cannotWrite(failed, reason) {
            let code = errno   // still the failed write(2)'s: nothing since has set it
            if code == ENOSPC || code == EDQUOT || code == EFBIG {
                var full = FileWriteError(path: failed, code: code)
                if reason != String(cString: strerror(code)) { full.reason += "; \(reason)" }
                throw full
            }
            throw ImageError.cannotWrite(path: failed, reason: reason)
        }
    }
}
