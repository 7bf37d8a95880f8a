import Foundation

/// Writes files so that an interrupted run never leaves a half-written file under the final name:
/// the bytes go to a temporary name in the same folder, which is renamed over the target at the end.
public enum AtomicFile {
    /// Writes `data` to `path` atomically, creating the parent folder if needed.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        do {
            try data.write(to: temp)
            if rename(temp.path, path) != 0 {
                throw DatasetError.unreadableFile(path: path, reason: "cannot rename the finished file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
