/// Everything a user or the environment can get wrong when reading, writing or cutting images.
///
/// Every case that concerns a file carries its path; `description` names the file, the reason and, where
/// one helps, what to do about it.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read (missing, unreadable, a directory).
    case cannotRead(path: String, reason: String)
    /// The file exists but holds zero bytes.
    case empty(path: String)
    /// The file's magic bytes match no supported format, or the format variant is not supported.
    case unsupported(path: String, reason: String)
    /// The file claims a supported format but its contents are damaged or truncated.
    case corrupt(path: String, reason: String)
    /// The image could not be encoded or written to `path`.
    case cannotWrite(path: String, reason: String)
    /// A window, size or parameter lies outside what the image allows.
    case invalidArgument(String)

    /// One line naming the file and the reason.
    public var description: String {
        switch self {
        case let .cannotRead(path, reason):
            return "cannot read image '\(path)': \(reason). HINT: check the path and its permissions."
        case let .empty(path):
            return "image file '\(path)' is empty (0 bytes)."
        case let .unsupported(path, reason):
            return "image '\(path)' is not supported: \(reason). HINT: supported are PNG, TIFF and JPEG."
        case let .corrupt(path, reason):
            return "image '\(path)' is corrupt or truncated: \(reason)."
        case let .cannotWrite(path, reason):
            return "cannot write image '\(path)': \(reason)."
        case let .invalidArgument(reason):
            return "invalid image operation: \(reason)."
        }
    }
}
