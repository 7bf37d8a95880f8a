import Foundation
import MitosisData
import MitosisSupport

/// The maps named on a command line (`mitosis detect`, later `apply` and `slide`): files, and the maps in folders.
public enum MapInputs {
    public struct Map {
        public var path: String
        /// `<name>` of `<name>_prob.png`.
        public var name: String
    }

    /// Map suffixes: the 8-bit `_prob.png` and the full-precision `_logodds.tif` that `probmap` may write beside it.
    public static let suffixes = ["_prob.png", "_logodds.tif"]

    /// Files and the `*_prob.png` files of folders, in order; missing paths, empty folders and repeated names
    /// are failures (reported at the end, the other maps still run).
    public static func collect(_ arguments: [String]) -> (maps: [Map], failures: [(path: String, reason: String)]) {
        var maps: [Map] = [], failures: [(path: String, reason: String)] = []
        var seen: [String: String] = [:]
        func add(_ path: String) {
            let file = URL(fileURLWithPath: path).lastPathComponent
            let suffix = suffixes.first { file.hasSuffix($0) }
            let name = suffix.map { String(file.dropLast($0.count)) }
                ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            if let first = seen[name] {
                failures.append((path, "same name '\(name)' as \(first), whose outputs it would overwrite. HINT: detect the two folders into different --output folders."))
                return
            }
            seen[name] = path
            maps.append(Map(path: path, name: name))
        }
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                failures.append((argument, "not found. HINT: pass <name>_prob.png maps written by `mitosis probmap`, or their folder."))
                continue
            }
            guard isDirectory.boolValue else { add(argument); continue }
            let all = ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).filter { !$0.hasPrefix(".") }
            // `_prob.png` maps (readMap prefers the float map beside one), and float maps without a PNG.
            let png = Set(all.filter { $0.hasSuffix(suffixes[0]) }.map { $0.dropLast(suffixes[0].count) })
            let files = all.filter {
                $0.hasSuffix(suffixes[0]) || ($0.hasSuffix(suffixes[1]) && !png.contains($0.dropLast(suffixes[1].count)))
            }.sorted()
            if files.isEmpty {
                failures.append((argument, "no <name>_prob.png maps in this folder. HINT: pass the output folder of `mitosis probmap`."))
            }
            for f in files { add(AnalysisFiles.join(argument, f)) }
        }
        return (maps, failures)
    }

    /// Original images of a folder by name (`PP_II.tif` -> `PP_II`), companions (`_pc`, `_prob`...) left out.
    public static func imagesByName(in folder: String) throws -> [String: String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw PipelineError.missingInput(path: folder, hint: "--images must be the folder of the original <name>.tif/.png/.jpg images.")
        }
        var out: [String: String] = [:]
        for file in names.sorted() where !file.hasPrefix(".") {
            let url = URL(fileURLWithPath: file)
            let stem = url.deletingPathExtension().lastPathComponent
            guard Dataset.imageExtensions.contains(url.pathExtension.lowercased()),
                  !Dataset.companionSuffixes.contains(where: { stem.hasSuffix($0) }), out[stem] == nil else { continue }
            out[stem] = AnalysisFiles.join(folder, file)
        }
        return out
    }
}
