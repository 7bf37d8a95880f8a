import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive claim on an output folder for as long as this object lives: a second `mitosis` started on
/// the same folder refuses at once instead of writing over the first one's files.
///
/// The claim is an advisory `flock` on `FOLDER/.mitosis.lock`, which also records who holds it. The kernel
/// drops the lock when its holder ends, however it ends (SIGKILL, a crash, a lost node), so there is never a
/// stale lock to remove by hand; the file itself stays (removing it would let two processes lock two
/// different files of that name).
public final class OutputFolderLock: @unchecked Sendable {
    public static let fileName = ".mitosis.lock"
    public let path: String
    private let descriptor: Int32

    /// Claims `folder` (creating it) for `purpose`, e.g. "mitosis run".
    /// - Throws: `OutputFolderLock.InUse` while another process holds it; `FileWriteError` if the lock file
    ///   cannot be made (say, a read-only folder).
    public init(folder: String, purpose: String) throws {
        path = (folder as NSString).appendingPathComponent(Self.fileName)
        try WritableFolder.prepare(folder)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, code: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw InUse(folder: folder, holder: holder ?? "")
        }
        descriptor = fd
        let note = "pid \(getpid()): \(purpose), since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Another process holds the folder.
    public struct InUse: Error, CustomStringConvertible {
        public var folder: String
        /// What the lock file says of its holder ("pid 123: mitosis run, since ..."), if it could be read.
        public var holder: String
        public var description: String {
            "\(folder): in use by another mitosis process\(holder.isEmpty ? "" : " (\(holder))"). HINT: wait for it to finish, or give another output folder; the claim ends with that process, even if it is killed"
        }
    }
}
