import Foundation
import MitosisData
import MitosisSupport

/// Small helpers shared by `detect`, `evaluate` and `grade`.
public enum AnalysisFiles {
    /// `dir/file` without doubling a trailing slash.
    public static func join(_ dir: String, _ file: String) -> String {
        dir.hasSuffix("/") ? dir + file : dir + "/" + file
    }

    /// A score with two decimals (four when two would round it), for messages.
    public static func score(_ t: Float) -> String {
        let two = String(format: "%.2f", t)
        return Float(two) == t ? two : String(format: "%.4f", t)
    }
}

// MARK: - Inputs

/// Ground-truth centre CSVs of a dataset folder (`PP_II.csv`).
public enum GroundTruthFiles {
    public struct File { public var name: String; public var patient: String; public var path: String }

    public static func list(_ folder: String) throws -> [File] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw DatasetError.unreadableFolder(path: folder, reason: (error as NSError).localizedDescription)
        }
        let files = names.filter { $0.lowercased().hasSuffix(".csv") && !$0.hasPrefix(".") }.sorted().compactMap { file -> File? in
            let stem = String(file.dropLast(4))
            guard AnalysisFiles.looksLikeImageName(stem), let underscore = stem.firstIndex(of: "_") else { return nil }
            return File(name: stem, patient: String(stem[..<underscore]), path: AnalysisFiles.join(folder, file))
        }
        guard !files.isEmpty else {
            throw AnalysisError("\(folder): no ground-truth centre CSVs (PP_II.csv). HINT: --truth is the dataset folder in the tutorial's layout, with one PP_II.csv of x,y centres per image.")
        }
        return files
    }
}

/// The one reader of `folds.json`, the file `mitosis folds` writes: `read` takes what evaluation needs (each
/// fold's test patients, so hand-written files `{"folds":[{"fold":1,"testPatients":["01"]}]}` work too),
/// `summary` the whole summary that `run`, `refine` and `database` continue from. Both name the file on
/// every error and refuse a patient tested in two folds.
public enum FoldsFile {
    private struct Decoded: Decodable {
        struct Fold: Decodable { var fold: Int; var testPatients: [String] }
        var folds: [Fold]
    }

    /// Each fold's test patients, in fold order. `argument` is folds.json or the folder holding it.
    public static func read(_ argument: String) throws -> [(fold: Int, patients: [String])] {
        let (path, data) = try load(argument, hint: "--folds takes the folds.json that `mitosis folds` writes into its output folder.")
        let decoded: Decoded
        do { decoded = try JSONDecoder().decode(Decoded.self, from: data) } catch {
            throw PipelineError.badFile(path: path, reason: "not a folds summary: expected {\"folds\": [{\"fold\": 1, \"testPatients\": [\"01\", ...]}, ...]} as `mitosis folds` writes it")
        }
        let folds = decoded.folds.map { (fold: $0.fold, patients: $0.testPatients) }
        try check(folds, path: path)
        return folds.sorted { $0.fold < $1.fold }
    }

    /// The whole summary of `mitosis folds` in `folder` (or the file `folder` names).
    public static func summary(_ argument: String) throws -> FoldStep.Summary {
        let (path, data) = try load(argument, hint: "run `mitosis folds` first (it writes folds.json beside the list files)")
        let summary: FoldStep.Summary
        do { summary = try JSONDecoder().decode(FoldStep.Summary.self, from: data) } catch {
            throw PipelineError.badFile(path: path, reason: "not the folds summary `mitosis folds` writes (\(AnalysisFiles.decodingProblem(error))); HINT: run `mitosis folds` again to rewrite it")
        }
        try check(summary.folds.map { ($0.fold, $0.testPatients) }, path: path)
        return summary
    }

    private static func load(_ argument: String, hint: String) throws -> (path: String, data: Data) {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory)
        let path = exists && isDirectory.boolValue ? AnalysisFiles.join(argument, "folds.json") : argument
        guard let data = FileManager.default.contents(atPath: path) else { throw PipelineError.missingInput(path: path, hint: hint) }
        return (path, data)
    }

    private static func check(_ folds: [(fold: Int, patients: [String])], path: String) throws {
        guard !folds.isEmpty else { throw PipelineError.badFile(path: path, reason: "lists no folds") }
        var seen: [String: Int] = [:]
        for f in folds {
            for p in f.patients {
                if let other = seen[p], other != f.fold {
                    throw PipelineError.badFile(path: path, reason: "patient \(p) is a test patient of folds \(other) and \(f.fold); each patient is tested in one fold")
                }
                seen[p] = f.fold
            }
        }
    }
}

extension AnalysisFiles {
    /// What a JSON decoding error says, in a phrase for a message that already names the file.
    static func decodingProblem(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "missing key '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c):
            return "wrong value at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.dataCorrupted(c): return "invalid JSON: \(c.debugDescription)"
        default: return "\(error)"
        }
    }
}


/// An error message that names the file and says what to do.
public struct AnalysisError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension AnalysisFiles {
    /// Names (without `.csv`) of the CSV files of a folder.
    public static func csvStems(in folder: String, role: String, hint: String) throws -> Set<String> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError.missingInput(path: folder, hint: "\(role) must be a folder; \(hint)")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw AnalysisError("\(folder): cannot list the \(role) folder (\((error as NSError).localizedDescription)). HINT: \(hint)")
        }
        return Set(names.filter { $0.hasSuffix(".csv") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) })
    }

    /// A `PP_II` name: something, an underscore, something.
    public static func looksLikeImageName(_ stem: String) -> Bool {
        guard let underscore = stem.firstIndex(of: "_") else { return false }
        return underscore != stem.startIndex
    }

    /// Entries of a detection CSV (`x,y,logodds`, 40x pixels).
    public static func readDetections(_ path: String) throws -> [DetectionWriter.Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnalysisError("\(path): cannot read the detection file. HINT: check that it exists and is readable.")
        }
        do {
            return try DetectionWriter.parseCSV(String(decoding: data, as: UTF8.self), path: path)
        } catch {
            throw AnalysisError("\(error). HINT: a detection CSV has the header x,y,logodds and one detection per line at 40x, "
                + "as `mitosis detect` writes it; ground-truth centre CSVs belong in the dataset folder.")
        }
    }

    /// A figure with three decimals, `-` when undefined.
    public static func metric(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }

    /// A number without trailing zeros.
    public static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// A CSV field, quoted when needed.
    public static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Pretty, key-sorted JSON written atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(value), to: path)
    }

    /// A plain-text table: the `left` columns (text) left-aligned, the others (numbers) right-aligned.
    public static func table(_ header: [String], _ rows: [[String]], left: Set<Int> = [0]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return left.contains(i) ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// At most `max` rows spread evenly over `rows` (first and last kept), plus `keeping` if it is not among them.
    public static func sample(_ rows: [ScoreRow], max: Int, keeping: ScoreRow?) -> [ScoreRow] {
        guard rows.count > max else { return rows }
        var indices = Set((0..<max).map { Int((Double($0) * Double(rows.count - 1) / Double(max - 1)).rounded()) })
        if let t = keeping?.threshold, let i = rows.firstIndex(where: { $0.threshold == t }) { indices.insert(i) }
        return indices.sorted().map { rows[$0] }
    }
}
