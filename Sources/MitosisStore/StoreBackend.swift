// The two database engines Caffe's data layer reads: LMDB (Caffe's default) and LevelDB (the tutorial's
// `convert_imageset -backend leveldb`).
import Foundation

/// Which key/value engine a patch database uses.
public enum StoreBackend: CaseIterable, Sendable, Hashable {
    /// LMDB: a directory holding `data.mdb` and `lock.mdb`, like Caffe's `-backend lmdb`. The default.
    case lmdb
    /// LevelDB: a directory of `.ldb`/`.log` files with a `CURRENT` file, like Caffe's `-backend leveldb`.
    case leveldb

    /// The name used on the command line and in Caffe prototxt (`lmdb`, `leveldb`).
    public var name: String {
        switch self {
        case .lmdb: "lmdb"
        case .leveldb: "leveldb"
        }
    }

    /// A file every database of this backend has inside its directory.
    var markerFile: String {
        switch self {
        case .lmdb: "data.mdb"
        case .leveldb: "CURRENT"
        }
    }

    /// Parses `lmdb` or `leveldb`, ignoring case; throws `StoreError.unknownBackend` otherwise.
    public init(parsing text: String) throws {
        guard let backend = StoreBackend(text) else { throw StoreError.unknownBackend(name: text) }
        self = backend
    }

    /// The backend whose files are in the directory at `url`, or nil if it holds neither kind.
    public static func detect(at url: URL) -> StoreBackend? {
        allCases.first { FileManager.default.fileExists(atPath: url.appendingPathComponent($0.markerFile).path) }
    }
}

extension StoreBackend: LosslessStringConvertible {
    /// Parses `lmdb` or `leveldb`, ignoring case and surrounding white space.
    public init?(_ description: String) {
        let wanted = description.trimmingCharacters(in: .whitespaces).lowercased()
        guard let backend = StoreBackend.allCases.first(where: { $0.name == wanted }) else { return nil }
        self = backend
    }

    /// The backend's command-line name.
    public var description: String { name }
}
