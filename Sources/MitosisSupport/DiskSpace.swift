import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free space on the filesystem that holds a path, and a clear refusal before a step that would not fit.
public enum DiskSpace {
    /// Bytes available to an unprivileged writer on the filesystem of `path` (or of its nearest existing
    /// parent folder, for a path not created yet); nil if it cannot be told.
    public static func available(at path: String) -> Int64? {
        var p = FilePaths.absolute(path)
        while !FileManager.default.fileExists(atPath: p), p != "/" {
            p = (p as NSString).deletingLastPathComponent
        }
        var s = statvfs()
        guard statvfs(p, &s) == 0 else { return nil }
        return Int64(s.f_bavail) * Int64(s.f_frsize)
    }

    /// Whether the filesystem of `path` has less than `margin` bytes left: what a failed write most
    /// likely ran into (LMDB reports a full disk as an I/O error).
    public static func isNearlyFull(at path: String, margin: Int64 = 64 << 20) -> Bool {
        (available(at: path) ?? .max) < margin
    }

    /// "812 MB", "3.4 GB": binary units, one decimal above 10 of them none.
    public static func describe(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var v = Double(bytes), u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(bytes) bytes" : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[u])
    }

    /// Throws `DiskSpaceError` when `bytes` (plus a 5 % margin) do not fit on the filesystem of `path`.
    /// - Parameter what: the step, as the user knows it ("step 3: 10 databases").
    public static func require(_ bytes: Int64, at path: String, for what: String) throws {
        guard let free = available(at: path) else { return }
        let needed = bytes + bytes / 20
        if needed > free { throw DiskSpaceError(path: path, needed: needed, available: free, what: what) }
    }
}

/// A step that was refused because its outputs would not fit on the disk.
public struct DiskSpaceError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var needed: Int64
    public var available: Int64
    public var what: String

    public init(path: String, needed: Int64, available: Int64, what: String) {
        self.path = path; self.needed = needed; self.available = available; self.what = what
    }

    public var description: String {
        "not enough disk space for \(what) in \(path): it needs about \(DiskSpace.describe(needed)), "
            + "\(DiskSpace.describe(available)) are free. HINT: free space (or use an output folder on a larger disk) "
            + "and re-run the same command; finished steps are kept and skipped."
    }
}
