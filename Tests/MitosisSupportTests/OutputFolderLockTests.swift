import Foundation
import Testing
@testable import MitosisSupport

@Suite struct OutputFolderLockTests {
    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)/out").path
    }

    @Test func aSecondClaimIsRefusedWithTheHolderNamedUntilTheFirstEnds() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        var first: OutputFolderLock? = try OutputFolderLock(folder: dir, purpose: "mitosis run")
        #expect(FileManager.default.fileExists(atPath: dir + "/" + OutputFolderLock.fileName))
        // flock conflicts between two open files even within one process, as between two processes.
        let refused = #expect(throws: OutputFolderLock.InUse.self) { try OutputFolderLock(folder: dir, purpose: "mitosis slide") }
        #expect(refused?.holder.hasPrefix("pid \(getpid()): mitosis run, since ") == true, "\(refused?.holder ?? "")")
        #expect(refused?.description.contains("\(dir): in use by another mitosis process") == true)
        first = nil
        _ = first
        let second = try OutputFolderLock(folder: dir, purpose: "mitosis slide")
        let note = try String(contentsOfFile: second.path, encoding: .utf8)
        #expect(note.contains(": mitosis slide, since ") && !note.contains("mitosis run"), "the note is rewritten, not appended: \(note)")
    }

    @Test func aFolderThatCannotBeMadeIsNamed() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lock-file-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: base))
        let error = #expect(throws: FileWriteError.self) { try OutputFolderLock(folder: base + "/out", purpose: "mitosis run") }
        #expect(error?.path == base + "/out", "\(String(describing: error))")
    }
}
