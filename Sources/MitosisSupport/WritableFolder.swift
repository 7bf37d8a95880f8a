import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Output folders checked before any work: created if missing, and a file made and removed in them, so a
/// read-only disk or a folder without write permission is one clear error at the start, not one per image.
public enum WritableFolder {
    /// Creates `folder` (with its parents) if needed and checks that files can be created in it.
    /// - Throws: `FileWriteError` naming the folder and the system's reason (read-only file system,
    ///   permission denied, disk full).
    public static func prepare(_ folder: String) throws {
        if let code = makeFolders(folder) {
            throw FileWriteError(path: folder, reason: "cannot create the folder: \(String(cString: strerror(code)))")
        }
        let probe = (folder as NSString).appendingPathComponent(".mitosis-write-test-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            var error = FileWriteError(path: folder, code: code)
            error.reason = "cannot create files in the folder: " + error.reason
            throw error
        }
        close(fd)
        unlink(probe)
    }

    /// `mkdir -p`: nil once `path` is a folder, else the `errno` of the step that failed (POSIX calls, so
    /// the reason is the system's own, e.g. EROFS, not Foundation's paraphrase).
    public static func makeFolders(_ path: String) -> Int32? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) { return isFolder.boolValue ? nil : ENOTDIR }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, let code = makeFolders(parent) { return code }
        if mkdir(path, 0o777) != 0, errno != EEXIST { return errno }
        return nil
    }
}
