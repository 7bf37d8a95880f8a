import Foundation
import Testing
import MitosisSupport

@Suite(.serialized) struct AtomicFileTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func writesTheWholeFileAndLeavesNoTemporaryBehind() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bytes = Data((0..<100_000).map { UInt8($0 % 251) })
        try AtomicFile.write(bytes, to: dir + "/a/b/out.bin")   // creates the folders
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/b/out.bin")) == bytes)
        try AtomicFile.write("second", to: dir + "/a/b/out.bin")  // replaces
        #expect(try String(contentsOfFile: dir + "/a/b/out.bin", encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a/b") == ["out.bin"])
    }

    @Test func aFailingWriterLeavesTheOldFileAndNoTemporary() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("old", to: dir + "/f.txt")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try AtomicFile.write(dir + "/f.txt") { temporary in
                try "half".write(toFile: temporary, atomically: false, encoding: .utf8)
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: dir + "/f.txt", encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f.txt"])
    }

    @Test func anUnwritableFolderIsNamed() throws {
        #expect {
            try AtomicFile.write("x", to: "/proc/mitosis-cannot-write/here.txt")
        } throws: { "\($0)".contains("/proc/mitosis-cannot-write/here.txt") && "\($0)".contains("HINT") }
    }

    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
    func aFullDiskIsNamedAsSuchAndNothingIsLeft() throws {
        let dir = try Self.folder()
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]
        try mount.run(); mount.waitUntilExit()
        try #require(mount.terminationStatus == 0)
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [dir]
            try? umount.run(); umount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: dir)
        }
        #expect {
            try AtomicFile.write(Data(count: 4 << 20), to: dir + "/map.tif")
        } throws: { error in
            let e = error as? FileWriteError
            return e?.diskFull == true && "\(error)".contains(dir + "/map.tif") && "\(error)".contains("disk is full")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
