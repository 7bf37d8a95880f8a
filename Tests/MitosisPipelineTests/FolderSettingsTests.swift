import Foundation
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// `FolderSettings`, the one settings record of an output folder (step 1's options.json, step 6's
/// refine.json): the first run writes it, the same settings resume, other settings are refused by name.
@Suite struct FolderSettingsTests {
    struct Settings: Codable, Equatable { var size: Int; var seed: UInt64 }

    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("folder-settings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theFirstClaimWritesTheSettingsAndTheSameOnesAreAccepted() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/options.json"
        try FolderSettings.claim(Settings(size: 32, seed: 1), at: path, what: "size or seed")
        let written = try JSONDecoder().decode(Settings.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == Settings(size: 32, seed: 1))
        try FolderSettings.claim(Settings(size: 32, seed: 1), at: path, what: "size or seed")
    }

    @Test func otherSettingsOrAnUnreadableRecordAreRefusedNamingTheFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/refine.json"
        try FolderSettings.claim(Settings(size: 32, seed: 1), at: path, what: "size or seed")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: PipelineError.self) { try FolderSettings.claim(Settings(size: 32, seed: 2), at: path, what: "size or seed") }
        #expect(error?.description == "\(path): this folder was made with other settings (size or seed). HINT: use a new output folder, or delete it to start over.")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the record was overwritten")
        try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PipelineError.self) { try FolderSettings.claim(Settings(size: 32, seed: 1), at: path, what: "size or seed") }
    }
}
