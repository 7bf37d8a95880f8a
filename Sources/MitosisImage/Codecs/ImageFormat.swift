/// The file formats `ImageIO` reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    /// Portable Network Graphics (libpng).
    case png
    /// Tagged Image File Format (libtiff).
    case tiff
    /// JPEG/JFIF (libjpeg-turbo's TurboJPEG API).
    case jpeg

    /// The format whose usual extension `path` ends with (case-insensitive): `.png`, `.tif`/`.tiff`,
    /// `.jpg`/`.jpeg`; `nil` for anything else.
    public init?(extensionOf path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "png": self = .png
        case "tif", "tiff": self = .tiff
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }

    /// The format announced by a file's first bytes (its magic number), or `nil` if none matches.
    ///
    /// PNG: `89 50 4E 47 0D 0A 1A 0A`; TIFF: `II*\0` / `MM\0*` (and BigTIFF `II+\0` / `MM\0+`);
    /// JPEG: `FF D8 FF`.
    public init?<Bytes: Collection>(magic bytes: Bytes) where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || head.starts(with: [0x49, 0x49, 0x2B, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2B]) {
            self = .tiff
        } else if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else {
            return nil
        }
    }
}

/// How `ImageIO.write` encodes: compression choices per format.
public struct ImageWriteOptions: Sendable, Equatable {
    /// TIFF compression schemes the writer offers.
    public enum TIFFCompression: String, Sendable, CaseIterable {
        /// Uncompressed strips.
        case none
        /// LZW with horizontal differencing (TIFF predictor 2).
        case lzw
        /// Deflate (zlib, "Adobe Deflate" tag 8) with horizontal differencing.
        case deflate
    }

    /// zlib level for PNG, 0 (store) ... 9 (smallest); 6 is zlib's default.
    public var pngCompressionLevel: Int
    /// Compression for TIFF output.
    public var tiffCompression: TIFFCompression
    /// JPEG quality 1 ... 100 (chroma is not subsampled).
    public var jpegQuality: Int
    /// Pixel size in um recorded in a TIFF's resolution tags (XResolution/YResolution per centimetre), as
    /// scanners record it; nil writes none.
    public var tiffPixelSizeMicrons: Double?

    /// Options with the given values; the defaults are PNG level 6, LZW TIFF, JPEG quality 95.
    public init(pngCompressionLevel: Int = 6, tiffCompression: TIFFCompression = .lzw, jpegQuality: Int = 95,
                tiffPixelSizeMicrons: Double? = nil) {
        self.pngCompressionLevel = pngCompressionLevel
        self.tiffCompression = tiffCompression
        self.jpegQuality = jpegQuality
        self.tiffPixelSizeMicrons = tiffPixelSizeMicrons
    }
}

/// Largest pixel count a decoder accepts (2^28, e.g. 16384 x 16384): a corrupt header that claims more is
/// rejected before any allocation. Whole slides are read through OpenSlide, not these codecs.
let _maxDecodedPixels = 1 << 28
