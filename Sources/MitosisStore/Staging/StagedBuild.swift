// Crash safety: a database is built in `<path>.partial` and renamed to `<path>` only after its last commit,
// so a crash or kill mid-way never leaves anything at `<path>` that looks like a finished database.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `.partial` directory a new database is written into, and how it is published. Not API.
struct _StagedBuild {
    /// Where the finished database will live.
    let finalURL: URL
    /// Where it is written meanwhile.
    let partialURL: URL

    static func partialURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".partial")
    }

    /// Checks that `url` holds a finished database of `backend`, with a clear error otherwise.
    static func checkReadable(_ url: URL, backend: StoreBackend) throws {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let partial = partialURL(for: url)
            if FileManager.default.fileExists(atPath: partial.path) {
                throw StoreError.interrupted(path: path, partialPath: partial.path)
            }
            throw StoreError.notFound(path: path)
        }
        guard isDirectory.boolValue else {
            throw StoreError.notADatabase(path: path, backend: backend, message: "it is a file, not a directory")
        }
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(backend.markerFile).path) else {
            throw StoreError.notADatabase(
                path: path, backend: backend, message: "the directory has no \(backend.markerFile)")
        }
    }

    /// Prepares an empty `.partial` directory for a new database at `url`.
    ///
    /// A leftover `.partial` from an interrupted build is removed. An existing `url` is an error unless
    /// `overwrite`; even then it must look like a database, so a mistyped path cannot wipe other data.
    static func begin(_ url: URL, backend: StoreBackend, overwrite: Bool) throws -> _StagedBuild {
        let build = _StagedBuild(finalURL: url, partialURL: partialURL(for: url))
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path) {
            guard overwrite else { throw StoreError.alreadyExists(path: url.path) }
            guard StoreBackend.detect(at: url) != nil else {
                throw StoreError.notADatabase(
                    path: url.path, backend: backend,
                    message: "refusing to overwrite something that is not an LMDB or LevelDB database")
            }
        }
        try fileSystem("remove stale", build.partialURL) {
            if manager.fileExists(atPath: build.partialURL.path) { try manager.removeItem(at: build.partialURL) }
        }
        try fileSystem("create directory", build.partialURL) {
            try manager.createDirectory(at: build.partialURL, withIntermediateDirectories: true)
        }
        return build
    }

    /// Moves the finished `.partial` to the final path, replacing an existing database there.
    func publish() throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: finalURL.path) else {
            try Self.rename(partialURL, to: finalURL)
            return
        }
        // Replace: swap the two directories atomically where the kernel can, else move the old one aside first.
        let retired: URL
        if Self.exchange(partialURL, finalURL) {
            retired = partialURL
        } else {
            retired = finalURL.deletingLastPathComponent()
                .appendingPathComponent(finalURL.lastPathComponent + ".replaced-\(getpid())")
            try Self.rename(finalURL, to: retired)
            try Self.rename(partialURL, to: finalURL)
        }
        try Self.fileSystem("remove replaced database", retired) { try manager.removeItem(at: retired) }
    }

    /// Removes the `.partial` directory (used when opening the new database itself failed).
    func discard() {
        try? FileManager.default.removeItem(at: partialURL)
    }

    private static func rename(_ source: URL, to destination: URL) throws {
        guard Foundation.rename(source.path, destination.path) == 0 else {
            throw StoreError.fileSystem(
                path: source.path, operation: "rename to \(destination.path)",
                message: String(cString: strerror(errno)))
        }
    }

    /// Atomically swaps two paths with Linux's `renameat2(RENAME_EXCHANGE)`; false where unsupported.
    private static func exchange(_ first: URL, _ second: URL) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        // Glibc does not export renameat2 to Swift, so look it up at run time (glibc >= 2.28 has it).
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let atCurrentDirectory: Int32 = -100  // AT_FDCWD
        let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE
        return renameat2(atCurrentDirectory, first.path, atCurrentDirectory, second.path, renameExchange) == 0
        #else
        return false
        #endif
    }

    private static func fileSystem(_ operation: String, _ url: URL, _ body: () throws -> Void) throws {
        do { try body() } catch {
            throw StoreError.fileSystem(path: url.path, operation: operation, message: error.localizedDescription)
        }
    }
}
