import Foundation
import MitosisSupport

/// Everything that can go wrong opening, writing or reading a patch database.
///
/// Every case names the database path; `hint` says what to do about it. `description` prints both, in the
/// project's `... HINT: ...` style.
public enum StoreError: Error, Equatable, Sendable {
    /// Nothing exists at `path` (and no interrupted build either).
    case notFound(path: String)
    /// `path` is missing but `partialPath` exists: a build into it never finished.
    case interrupted(path: String, partialPath: String)
    /// A database already exists at `path` and the caller did not ask to overwrite it.
    case alreadyExists(path: String)
    /// `path` exists but is not a database of `backend`; `message` says what was found instead.
    case notADatabase(path: String, backend: StoreBackend, message: String)
    /// The LMDB or LevelDB library failed `operation`; `message` is its own text (`mdb_strerror`, `errptr`).
    case library(path: String, backend: StoreBackend, operation: String, code: Int32?, message: String)
    /// Creating, renaming or removing a file or directory failed.
    case fileSystem(path: String, operation: String, message: String)
    /// The store was opened read-only, or has already been finished or closed, and cannot do `operation`.
    case notAllowed(path: String, operation: String, reason: String)
    /// A write transaction is still open; LMDB allows one at a time.
    case transactionInProgress(path: String)
    /// A wrapping cursor was asked for a record but the store holds none.
    case empty(path: String)
    /// A backend name other than `lmdb` or `leveldb`.
    case unknownBackend(name: String)
    /// The records of the finished database at `path` are not those its digest was made from.
    case damaged(path: String, reason: String)

    /// The database path the error is about (the backend name for `unknownBackend`).
    public var path: String {
        switch self {
        case .notFound(let path), .interrupted(let path, _), .alreadyExists(let path),
            .notADatabase(let path, _, _), .library(let path, _, _, _, _), .fileSystem(let path, _, _),
            .notAllowed(let path, _, _), .transactionInProgress(let path), .empty(let path), .damaged(let path, _):
            path
        case .unknownBackend(let name):
            name
        }
    }

    /// What the user (or the calling code) should do next.
    public var hint: String {
        switch self {
        case .notFound:
            "check the path, or build the database first (mitosis step 3)"
        case .interrupted:
            "the build of this database was interrupted; re-run the command that builds it"
        case .alreadyExists:
            "pass overwrite (--overwrite) to replace it, or choose another path"
        case .notADatabase(let path, let backend, _):
            Self.backendHint(path: path, tried: backend)
        case .library(let path, let backend, _, let code, let message):
            Self.libraryHint(path: path, backend: backend, code: code, message: message)
        case .fileSystem:
            "check that the parent directory exists and is writable and that the disk is not full"
        case .notAllowed:
            "open the database for writing (create) and write before finish() or close()"
        case .transactionInProgress:
            "commit() or abort() the open transaction before starting another or finishing the store"
        case .empty:
            "the database has no records; rebuild it from a non-empty patch list"
        case .unknownBackend:
            "use one of: " + StoreBackend.allCases.map(\.name).joined(separator: ", ")
        case .damaged:
            "do not train on it: delete it and re-run the command that built it (`mitosis db`, or the same `mitosis run`), which rebuilds only this database"
        }
    }

    private static func backendHint(path: String, tried: StoreBackend) -> String {
        if let found = StoreBackend.detect(at: URL(fileURLWithPath: path)), found != tried {
            return "this looks like a \(found.name) database; open it with backend \(found.name)"
        }
        return "point at a directory written by `mitosis` or Caffe's convert_imageset with backend \(tried.name)"
    }

    private static func libraryHint(path: String, backend: StoreBackend, code: Int32?, message: String) -> String {
        if code == EACCES || code == EROFS || message.contains("Permission denied") {
            return "check the permissions of the database directory (both backends need write access to it)"
        }
        // LMDB reports a full disk as an I/O error from its memory map: look at the disk before blaming the file.
        let full = code == ENOSPC || message.contains("No space")
            || ((code == EIO || code == EFBIG || message.contains("Input/output")) && DiskSpace.isNearlyFull(at: path))
        if full {
            let free = DiskSpace.available(at: path).map { " (\(DiskSpace.describe($0)) free)" } ?? ""
            return "the disk holding \(path) is full\(free): free space and re-run the same command; finished databases are kept and this one is rebuilt"
        }
        if backend == .leveldb && message.lowercased().contains("lock") {
            return "another process (or another open handle here) is using it; LevelDB allows one at a time"
        }
        if message.lowercased().contains("corrupt") || code == -30796 {  // MDB_CORRUPTED
            return "the database is damaged; delete it and rebuild it"
        }
        return "the database may be damaged or written by an incompatible version; rebuild it"
    }
}

extension StoreError: CustomStringConvertible, LocalizedError {
    /// A one-paragraph message: what failed, where, the library's words, and a HINT.
    public var description: String {
        "\(summary)\nHINT: \(hint)"
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    private var summary: String {
        switch self {
        case .notFound(let path):
            "no database at \(path)"
        case .interrupted(let path, let partial):
            "no finished database at \(path): only the interrupted build \(partial) exists"
        case .alreadyExists(let path):
            "a database already exists at \(path)"
        case .notADatabase(let path, let backend, let message):
            "\(path) is not a \(backend.name) database: \(message)"
        case .library(let path, let backend, let operation, let code, let message):
            "\(backend.name) \(operation) failed for \(path): \(message)" + (code.map { " (code \($0))" } ?? "")
        case .fileSystem(let path, let operation, let message):
            "\(operation) failed for \(path): \(message)"
        case .notAllowed(let path, let operation, let reason):
            "cannot \(operation) \(path): \(reason)"
        case .transactionInProgress(let path):
            "a write transaction is already open on \(path)"
        case .empty(let path):
            "the database \(path) holds no records"
        case .unknownBackend(let name):
            "unknown database backend '\(name)'"
        case .damaged(let path, let reason):
            "the database \(path) changed after it was written: \(reason)"
        }
    }
}
