import Foundation
import MitosisData
import MitosisSupport

/// The record step 1 keeps of what it cut (the author's `patient_struct`): per image, its patient and how
/// many positive and negative pixels it gave. Patch names follow from these counts and the angle lists,
/// because patches are stored in a fixed order: positives k = 1...P at each positive angle, then negatives
/// k = 1...N at each negative angle.
public struct PatchIndex: Sendable, Codable, Equatable {
    /// One image's entry.
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var patient: String
        /// Annotated mitoses (CSV centres).
        public var mitoses: Int
        /// Positive pixels (each cut at every positive angle).
        public var positives: Int
        /// Negative pixels (each cut at every negative angle).
        public var negatives: Int
        /// Archive file name, relative to the patch folder.
        public var archive: String
    }

    public static let fileName = "index.json"

    public var options: PatchOptions
    public var entries: [Entry]
    /// Patients left out and why (e.g. no mitoses).
    public var excluded: [String: String]
    /// The dataset folder (absolute) when the archives are sample-only: their pixels are cut from its images.
    public var dataset: String? = nil

    /// Patch file names and classes of one image, in archive order (the tutorial's list-file lines).
    public func patchNames(of entry: Entry) -> [(name: String, label: Int)] {
        var out: [(String, Int)] = []
        for k in 1...max(entry.positives, 1) where entry.positives > 0 {
            for a in options.positiveAngles { out.append(("\(entry.name)_1_p_\(k)_\(a).png", 1)) }
        }
        for k in 1...max(entry.negatives, 1) where entry.negatives > 0 {
            for a in options.negativeAngles { out.append(("\(entry.name)_0_n_\(k)_\(a).png", 0)) }
        }
        return out
    }

    /// Mitoses per patient over the indexed images.
    public var mitosesPerPatient: [String: Int] {
        entries.reduce(into: [:]) { $0[$1.patient, default: 0] += $1.mitoses }
    }

    public func write(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: folder + "/" + PatchIndex.fileName)
    }

    public static func read(from folder: String) throws -> PatchIndex {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.missingInput(path: path, hint: "run `mitosis patches DATASET \(folder)` first")
        }
        do { return try JSONDecoder().decode(PatchIndex.self, from: data) } catch {
            throw PipelineError.badFile(path: path, reason: "unreadable patch index (\(error)). HINT: re-run `mitosis patches`.")
        }
    }
}
