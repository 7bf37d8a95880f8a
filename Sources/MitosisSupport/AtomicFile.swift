import Foundation
#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// Writes files so that an interrupted run never leaves a half-written file under the final name: the
/// bytes go to a hidden temporary name in the same folder, which is renamed over the target at the end.
/// The one implementation for every module (data files, Caffe files, images, reports).
public enum AtomicFile {
    /// Writes `data` to `path` atomically, creating the parent folder if needed.
    /// - Throws: `FileWriteError` naming `path` (and saying so when the disk is full).
    public static func write(_ data: Data, to path: String) throws {
        try write(path) { temporary in try data.withUnsafeBytes { try writeAll($0, to: temporary, reportedAs: path) } }
    }

    /// Writes `bytes` to the (new or truncated) file `temporary` with write(2), so a failure keeps its errno.
    /// - Throws: `FileWriteError` naming `path` (and saying so when the disk is full).
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to temporary: String, reportedAs path: String) throws {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        guard fd >= 0 else { throw FileWriteError(path: path, code: errno, bytes: Int64(bytes.count)) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, code: errno, bytes: Int64(bytes.count))
            }
            offset += n
        }
    }

    /// Writes `data` to the file `url` atomically.
    public static func write(_ data: Data, to url: URL) throws { try write(data, to: url.path) }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Runs `body` with a temporary path in `path`'s folder (created if needed, unless `createFolder` is
    /// false: then a missing folder is `body`'s error) and renames the file it wrote over `path`; on failure
    /// the temporary file is removed and the error passed on.
    public static func write(_ path: String, createFolder: Bool = true, _ body: (String) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if createFolder, !folder.isEmpty {
            if let code = WritableFolder.makeFolders(folder) {
                throw FileWriteError(path: path, reason: "cannot create its folder: \(String(cString: strerror(code)))")
            }
        }
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try body(temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw FileWriteError(path: path, code: code)
        }
    }
}

/// A file that could not be written: which, why, and what to do (a full disk is named as such).
public struct FileWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var reason: String
    public var diskFull: Bool

    public init(path: String, reason: String, diskFull: Bool = false) {
        self.path = path; self.reason = reason; self.diskFull = diskFull
    }

    /// From an `errno` value; `bytes`, when known, is what was being written.
    public init(path: String, code: Int32, bytes: Int64? = nil) {
        let full = code == ENOSPC || code == EDQUOT || code == EFBIG
        var reason = String(cString: strerror(code))
        if full, let bytes { reason += " (writing \(DiskSpace.describe(bytes)))" }
        if full, let free = DiskSpace.available(at: path) { reason += "; \(DiskSpace.describe(free)) free" }
        self.init(path: path, reason: reason, diskFull: full)
    }

    public var description: String {
        diskFull
            ? "cannot write \(path): the disk is full (\(reason)). HINT: free space and re-run the same command; finished work is kept."
            : "cannot write \(path): \(reason). HINT: check that the folder exists and is writable, and that the disk is not full."
    }
}
