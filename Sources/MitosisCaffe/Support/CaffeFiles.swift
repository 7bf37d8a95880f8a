import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading Caffe's binary files (writing goes through `MitosisSupport.AtomicFile`).
enum CaffeFiles {
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
