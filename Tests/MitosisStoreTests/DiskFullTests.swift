import Foundation
import Testing
import MitosisStore

/// A small tmpfs the test mounts itself (root only, as on CI's machines), unmounted afterwards.
struct SmallFilesystem {
    let path: String
    init(megabytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mount -t tmpfs failed at \(path)"])
        }
    }
    func unmount() {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [path]
        try? umount.run()
        umount.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// What a full disk looks like from a database build: LMDB reports it as an I/O error of its commit,
/// whose old hint ("may be damaged ... rebuild it") sent users the wrong way.
@Suite(.serialized, .enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
struct DiskFullTests {
    @Test(arguments: [StoreBackend.lmdb, .leveldb])
    func aFullDiskIsNamedAsSuch(backend: StoreBackend) throws {
        let disk = try SmallFilesystem(megabytes: 2)
        defer { disk.unmount() }
        let url = URL(fileURLWithPath: disk.path + "/DB_train_1")
        var rng = SeededGenerator(state: 7)
        var failure: Error?
        do {
            let store = try openStore(at: url, backend: backend, access: .create(overwrite: true))
            defer { store.close() }
            for batch in 0..<40 {
                let txn = try store.beginTransaction()
                for k in 0..<100 { try txn.put(key: String(format: "%08d", batch * 100 + k), value: rng.bytes(3086)) }
                try txn.commit()
            }
            try store.finish()
        } catch { failure = error }
        let error = try #require(failure, "12 MB of records fitted on a 2 MB filesystem")
        let text = "\(error)"
        #expect(text.contains("full") && text.contains(disk.path), "\(text)")
        #expect(!text.contains("damaged"), "\(text)")
        // Nothing is left under the final name.
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
