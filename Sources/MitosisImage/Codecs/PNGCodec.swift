import CPNG

/// PNG decoding and encoding with libpng 1.6.
///
/// Decoding uses libpng's "simplified" API (`png_image_*`), which catches libpng's internal longjmp
/// errors itself and reports them by return value, so a corrupt file can never unwind through Swift frames.
/// Mapping of PNG variants onto `Image`:
/// - gray -> 1 channel; RGB -> 3; RGBA -> 4; gray+alpha -> 4 (gray replicated into R, G, B; alpha kept);
/// - palette -> 3 channels, or 4 if the file has transparency (`tRNS`);
/// - 16-bit samples -> 8-bit by rounding `v / 257` (libpng's `png_set_scale_16`). Files without a `gAMA`
///   or `sRGB` chunk are taken as sRGB-encoded, so no gamma change happens; a file whose `gAMA` differs
///   from sRGB is converted to sRGB by libpng.
///
/// Encoding uses the full libpng write API into memory (for the compression-level option). Its inputs are
/// validated before libpng sees them; the only error libpng could still raise is running out of memory,
/// which aborts the process as Swift itself does.
public enum PNGCodec {
    /// Decodes a complete PNG file held in `bytes`; `path` is only used in error messages.
    /// - Throws: `ImageError.corrupt` for damaged or truncated data, `.unsupported` for oversized images.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Image {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        guard began != 0 else {
            let reason = message(of: &png)
            png_image_free(&png)
            throw ImageError.corrupt(path: path, reason: "libpng: \(reason)")
        }
        let width = Int(png.width), height = Int(png.height)
        guard width > 0, height > 0, width * height <= _maxDecodedPixels else {
            png_image_free(&png)
            throw ImageError.unsupported(path: path, reason: "PNG of \(width)x\(height) pixels is too large")
        }
        let hasColor = png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = png.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
        // PNG_FORMAT_GRAY / _RGB / _RGBA: 8-bit, colour and alpha flags as needed.
        png.format = (channels >= 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (channels == 4 ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        png.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes {
            png_image_finish_read(&png, nil, $0.baseAddress, Int32(width * channels), nil)
        }
        guard finished != 0 else {
            let reason = message(of: &png)
            png_image_free(&png)
            throw ImageError.corrupt(path: path, reason: "libpng: \(reason)")
        }
        png_image_free(&png)
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes `image` (8-bit gray, RGB or RGBA) as a PNG file's bytes.
    /// - Parameter compressionLevel: zlib level 0 ... 9.
    /// - Throws: `ImageError.cannotWrite` (naming `path`) for an empty image or a level outside 0 ... 9.
    public static func encode(_ image: Image, compressionLevel: Int = 6, path: String = "<memory>") throws -> [UInt8] {
        guard (0...9).contains(compressionLevel) else {
            throw ImageError.cannotWrite(path: path, reason: "PNG compression level \(compressionLevel) is not in 0...9")
        }
        guard image.width > 0, image.height > 0, image.width < 1 << 31, image.height < 1 << 31 else {
            throw ImageError.cannotWrite(path: path, reason: "PNG cannot hold a \(image.width)x\(image.height) image")
        }
        let colorType: Int32
        switch image.channels {
        case 1: colorType = PNG_COLOR_TYPE_GRAY
        case 3: colorType = PNG_COLOR_TYPE_RGB
        case 4: colorType = PNG_COLOR_TYPE_RGB_ALPHA
        default: throw ImageError.cannotWrite(path: path, reason: "PNG writer takes 1, 3 or 4 channels")
        }
        guard let created = png_create_write_struct(PNG_LIBPNG_VER_STRING, nil, nil, nil) else {
            throw ImageError.cannotWrite(path: path, reason: "libpng could not allocate a writer")
        }
        var png: png_structp? = created
        var info = png_create_info_struct(created)
        defer { png_destroy_write_struct(&png, &info) }
        let sink = _PNGSink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        png_set_write_fn(png, unmanaged.toOpaque(), { png, data, length in
            guard let data, let io = png_get_io_ptr(png) else { return }
            let sink = Unmanaged<_PNGSink>.fromOpaque(io).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
        }, { _ in })
        png_set_IHDR(png, info, UInt32(image.width), UInt32(image.height), 8, colorType,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT)
        png_set_compression_level(png, Int32(compressionLevel))
        png_write_info(png, info)
        let stride = image.width * image.channels
        image.pixels.withUnsafeBufferPointer { buffer in
            for y in 0..<image.height {
                png_write_row(png, buffer.baseAddress! + y * stride)
            }
        }
        png_write_end(png, info)
        return sink.bytes
    }

    /// The NUL-terminated message libpng left in `png.message`.
    private static func message(of png: inout png_image) -> String {
        withUnsafeBytes(of: &png.message) { raw in
            let chars = raw.bindMemory(to: UInt8.self)
            let end = chars.firstIndex(of: 0) ?? chars.count
            let text = String(decoding: chars[..<end], as: UTF8.self)
            return text.isEmpty ? "unknown error" : text
        }
    }
}

/// Collects the bytes libpng writes. Not API.
final class _PNGSink {
    var bytes: [UInt8] = []
}
