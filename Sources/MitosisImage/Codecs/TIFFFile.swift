import CTIFF
import Foundation

/// An open libtiff handle whose error messages are collected per file (libtiff 4.5 `TIFFOpenExt` handlers)
/// instead of printed, so they can go into an `ImageError`. libtiff reports errors by return value; no
/// longjmp is involved. Not API.
final class _TIFFFile {
    let handle: OpaquePointer
    private let log: _TIFFLog

    /// Opens `file` with libtiff `mode` ("r" or "w"); returns nil and the collected messages on failure.
    static func open(_ file: String, mode: String) -> (_TIFFFile?, String) {
        let log = _TIFFLog()
        let options = TIFFOpenOptionsAlloc()
        defer { TIFFOpenOptionsFree(options) }
        let opaque = Unmanaged.passUnretained(log).toOpaque()
        TIFFOpenOptionsSetErrorHandlerExtR(options, _tiffCollectError, opaque)
        TIFFOpenOptionsSetWarningHandlerExtR(options, _tiffIgnoreWarning, nil)
        // A corrupt header must not make libtiff allocate gigabytes.
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, 1 << 30)
        guard let handle = TIFFOpenExt(file, mode, options) else { return (nil, log.text) }
        return (_TIFFFile(handle: handle, log: log), "")
    }

    private init(handle: OpaquePointer, log: _TIFFLog) {
        self.handle = handle
        self.log = log
    }

    deinit { TIFFClose(handle) }

    /// The messages libtiff reported so far, joined, or "unknown error".
    var errors: String { log.text }

    /// An integer tag (uint16 or uint32 in libtiff), with the TIFF default when absent; nil if unknown.
    func field<T: FixedWidthInteger>(_ tag: Int32, as type: T.Type, defaulted: Bool = true) -> T? {
        var value: T = 0
        let found = withUnsafeMutablePointer(to: &value) { pointer in
            withVaList([pointer]) {
                defaulted ? TIFFVGetFieldDefaulted(handle, UInt32(tag), $0) : TIFFVGetField(handle, UInt32(tag), $0)
            }
        }
        return found == 1 ? value : nil
    }

    /// Number of extra samples (alpha and others) per pixel.
    var extraSampleCount: Int {
        var count: UInt16 = 0
        var values: UnsafeMutablePointer<UInt16>? = nil
        let found = withUnsafeMutablePointer(to: &count) { countPointer in
            withUnsafeMutablePointer(to: &values) { valuesPointer in
                withVaList([countPointer, valuesPointer]) {
                    TIFFVGetFieldDefaulted(handle, UInt32(TIFFTAG_EXTRASAMPLES), $0)
                }
            }
        }
        return found == 1 ? Int(count) : 0
    }

    /// Sets a tag from C-variadic arguments exactly as `TIFFSetField` takes them; false on failure.
    @discardableResult
    func set(_ tag: Int32, _ arguments: CVarArg...) -> Bool {
        withVaList(arguments) { TIFFVSetField(handle, UInt32(tag), $0) } == 1
    }
}

/// Collected libtiff messages. Not API.
final class _TIFFLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if messages.count < 8 { messages.append(message) }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return messages.isEmpty ? "unknown error" : messages.joined(separator: "; ")
    }
}

/// libtiff per-file error handler: formats the message into the file's `_TIFFLog`; returning 1 stops
/// libtiff from also calling its global (stderr) handler.
private let _tiffCollectError: TIFFErrorHandlerExtR = { _, userData, module, format, arguments in
    guard let userData, let format, let arguments else { return 1 }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let prefix = module.map { String(cString: $0) + ": " } ?? ""
    let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    Unmanaged<_TIFFLog>.fromOpaque(userData).takeUnretainedValue().append(prefix + message)
    return 1
}

/// libtiff per-file warning handler: unknown tags and the like are not worth a word.
private let _tiffIgnoreWarning: TIFFErrorHandlerExtR = { _, _, _, _, _ in 1 }
