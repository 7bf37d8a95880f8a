import Foundation
import MitosisSupport

/// The settings an output folder was made with, recorded in a JSON file inside it: a re-run with the same
/// settings resumes, one with other settings is refused (resuming would mix outputs of two settings). The one
/// mechanism for step 1's `options.json` and step 6's `refine.json`.
enum FolderSettings {
    /// Writes `settings` to `path` (atomically) when the file is missing; otherwise checks that it holds the
    /// same settings. `what` lists what the settings are, as the user sets them, for the error.
    /// - Throws: `PipelineError.otherSettings` naming the file when they differ (or the file is not readable).
    static func claim<S: Codable & Equatable>(_ settings: S, at path: String, what: String) throws {
        if let data = FileManager.default.contents(atPath: path) {
            guard (try? JSONDecoder().decode(S.self, from: data)) == settings else {
                throw PipelineError.otherSettings(path: path, what: what)
            }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(settings), to: path)
    }
}
