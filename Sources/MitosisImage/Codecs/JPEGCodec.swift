import CTurboJPEG

/// JPEG decoding and encoding with libjpeg-turbo's TurboJPEG API.
///
/// The classic libjpeg API reports errors through an `error_exit` callback that must not return (it is
/// meant to longjmp), which Swift frames cannot survive. TurboJPEG does its setjmp/longjmp inside C and
/// returns -1 instead, so a corrupt file becomes a Swift error. Warnings (e.g. "premature end of JPEG
/// file" for a truncated file) are treated as errors too.
///
/// Gray JPEGs decode to 1 channel, colour (YCbCr or RGB) to 3 with libjpeg's default accurate integer
/// DCT and smooth ("fancy") chroma upsampling, the same defaults as Pillow and MATLAB. CMYK/YCCK files are
/// rejected as unsupported.
public enum JPEGCodec {
    /// Decodes a complete JPEG file held in `bytes`; `path` is only used in error messages.
    /// - Throws: `ImageError.corrupt` for damaged or truncated data, `.unsupported` for CMYK or huge images.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Image {
        guard let handle = tjInitDecompress() else {
            throw ImageError.cannotRead(path: path, reason: "TurboJPEG could not allocate a decoder")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else {
            throw ImageError.corrupt(path: path, reason: "libjpeg-turbo: \(errorText(handle))")
        }
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            throw ImageError.unsupported(path: path, reason: "CMYK/YCCK JPEG")
        }
        guard width > 0, height > 0, Int(width) * Int(height) <= _maxDecodedPixels else {
            throw ImageError.unsupported(path: path, reason: "JPEG of \(width)x\(height) pixels is too large")
        }
        let gray = subsampling == Int32(TJSAMP_GRAY.rawValue)
        let channels = gray ? 1 : 3
        let format = gray ? TJPF_GRAY : TJPF_RGB
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let status = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                tjDecompress2(handle, source.baseAddress, UInt(source.count), target.baseAddress, width,
                              width * Int32(channels), height, Int32(format.rawValue), TJFLAG_LIMITSCANS)
            }
        }
        guard status == 0 else {
            throw ImageError.corrupt(path: path, reason: "libjpeg-turbo: \(errorText(handle))")
        }
        return Image(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// Encodes `image` as baseline JPEG bytes: gray stays gray, RGB and RGBA (alpha dropped) become YCbCr
    /// 4:4:4 (no chroma subsampling, which would blur thin stained structures).
    /// - Parameter quality: 1 ... 100.
    /// - Throws: `ImageError.cannotWrite` naming `path` for an empty image, a bad quality, or an encoder error.
    public static func encode(_ image: Image, quality: Int = 95, path: String = "<memory>") throws -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImageError.cannotWrite(path: path, reason: "JPEG quality \(quality) is not in 1...100")
        }
        guard image.width > 0, image.height > 0, image.width <= 65_535, image.height <= 65_535 else {
            throw ImageError.cannotWrite(path: path, reason: "JPEG cannot hold a \(image.width)x\(image.height) image")
        }
        guard let handle = tjInitCompress() else {
            throw ImageError.cannotWrite(path: path, reason: "TurboJPEG could not allocate an encoder")
        }
        defer { tjDestroy(handle) }
        let format: TJPF
        switch image.channels {
        case 1: format = TJPF_GRAY
        case 3: format = TJPF_RGB
        default: format = TJPF_RGBX
        }
        let subsampling = image.channels == 1 ? TJSAMP_GRAY : TJSAMP_444
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), Int32(image.width * image.channels),
                        Int32(image.height), Int32(format.rawValue), &output, &size,
                        Int32(subsampling.rawValue), Int32(quality), 0)
        }
        defer { tjFree(output) }
        guard status == 0, let output else {
            throw ImageError.cannotWrite(path: path, reason: "libjpeg-turbo: \(errorText(handle))")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }
}
