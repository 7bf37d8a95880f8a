import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so an interrupted run never leaves a half-written file under the final name.
enum AtomicFile {
    /// Writes `data` to a temporary file in the destination's folder, then renames it over `url`.
    static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
        } catch {
            throw CaffeFormatError.unwritable(path: url.path, reason: "\(error.localizedDescription)")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CaffeFormatError.unwritable(path: url.path, reason: reason)
        }
    }

    /// Reads the whole file, mapping failures to `CaffeFormatError.unreadable`.
    static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "\(error.localizedDescription)" : "no such file"
            throw CaffeFormatError.unreadable(path: url.path, reason: reason)
        }
    }
}
