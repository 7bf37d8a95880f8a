import ArgumentParser
import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisPipeline

/// `mitosis evaluate`: precision, recall and F1 of detection CSVs against ground-truth centres.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Precision, recall and F1 of detection CSVs against ground-truth centres, per image, patient and fold.",
        discussion: """
            Ground truth: the dataset folder's <name>.csv centres (x,y per line at 40x, tutorial layout; patient = \
            the part of the name before the first '_'). Detections: <name>.csv files (x,y,logodds at 40x) written by \
            `mitosis detect` or `mitosis run`. A detection within --radius 40x pixels of a centre is a true \
            positive; centres are matched greedily to the nearest unused detection, so two detections near one \
            mitosis are one TP and one FP. An image with ground truth but no detection file counts all its \
            mitoses as false negatives (with a warning). With --folds (folds.json of `mitosis folds`), figures per \
            fold and mean +/- std over folds. --sweep prints the precision-recall curve over score thresholds and \
            the threshold of best F1: a threshold chosen this way on the data it is scored on is OPTIMISTIC; \
            --sweep with --folds also chooses each fold's threshold on the other folds' images (the \
            "cross-validated" figures; `mitosis run --threshold-from other-folds` does the same, while `mitosis run` \
            by default uses each fold's own model on its training images).
            """)

    @Option(help: "Dataset folder with the ground-truth centre CSVs (<name>.csv, x,y at 40x).")
    var truth: String

    @Option(help: "Folder of detection CSVs (<name>.csv with x,y,logodds at 40x).")
    var detections: String

    @Option(help: "True-positive radius in 40x pixels (30 = 7.5 um at 0.25 um/px).")
    var radius = 30.0

    @Option(help: "Keep only detections with score >= T (default: all detections in the files).")
    var threshold: Float?

    @Flag(help: "Print the precision-recall curve over score thresholds and the best-F1 threshold (optimistic on the same data; with --folds, also chosen on the other folds).")
    var sweep = false

    @Option(help: "folds.json written by `mitosis folds` (or its folder): figures per fold and mean +/- std.")
    var folds: String?

    @Option(name: .shortAndLong, help: "Write evaluation.json, evaluation.csv and (with --sweep) pr_curve.png here.")
    var output: String?

    @Option(help: "Column order of the ground-truth CSVs: xy (x = column first, the tutorial's) or yx.")
    var csvOrder: CSVOrder = .xy

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard radius > 0, radius.isFinite else { throw ValidationError("--radius must be positive (got \(radius))") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
    }

    func run() throws {
        let log = global.logger("evaluate")
        var warnings: [String] = []
        func warn(_ message: String) { warnings.append(message); log.warning("\(message)") }

        let truthFiles = try GroundTruthFiles.list(truth)
        let detectionNames = try AnalysisFiles.csvStems(in: detections, role: "--detections",
                                                        hint: "pass the output folder of `mitosis detect` (or the detections folder of `mitosis run`).")
        var images: [EvaluationImage] = [], errors: [String] = []
        for t in truthFiles {
            do {
                let centres = try CentreCSV.read(t.path, order: csvOrder).map { Point(x: $0.x, y: $0.y) }
                var image = EvaluationImage(name: t.name, patient: t.patient, truth: centres, detectionFile: false)
                if detectionNames.contains(t.name) {
                    image.detectionFile = true
                    image.detections = try AnalysisFiles.readDetections(AnalysisFiles.join(detections, t.name + ".csv"))
                        .map { (Point(x: $0.x, y: $0.y), $0.score) }
                } else if !centres.isEmpty {
                    warn("\(t.name): no detection file \(t.name).csv in \(detections); its \(centres.count) \(centres.count == 1 ? "mitosis counts" : "mitoses count") as false negatives")
                } else {
                    warn("\(t.name): no detection file \(t.name).csv in \(detections) (no mitoses in the ground truth either)")
                }
                images.append(image)
            } catch {
                errors.append("\(error)")
            }
        }
        let extra = detectionNames.subtracting(truthFiles.map(\.name)).filter { AnalysisFiles.looksLikeImageName($0) }.sorted()
        if !extra.isEmpty {
            warn("\(extra.count) detection files have no ground truth in \(truth) and are ignored: \(extra.prefix(10).joined(separator: ", "))\(extra.count > 10 ? ", ..." : "")")
        }
        guard errors.isEmpty else {
            for e in errors { log.error("\(e)") }
            log.error("\(errors.count) files could not be read; nothing was evaluated")
            throw ExitCode.failure
        }

        var foldList: [(fold: Int, patients: [String])]?
        if let folds {
            let list = try FoldsFile.read(folds)
            let foldOf = Dictionary(list.flatMap { f in f.patients.map { ($0, f.fold) } }, uniquingKeysWith: { a, _ in a })
            for i in images.indices { images[i].fold = foldOf[images[i].patient] }
            let outside = Set(images.filter { $0.fold == nil }.map(\.patient)).sorted(by: Dataset.patientOrder)
            if !outside.isEmpty {
                warn("patients \(outside.joined(separator: ", ")) are in no fold of \(folds): counted in the totals only")
            }
            for f in list where !images.contains(where: { $0.fold == f.fold }) {
                warn("fold \(f.fold) has no image with ground truth in \(truth) (test patients \(f.patients.joined(separator: ", ")))")
            }
            foldList = list
        }

        // --threshold is applied by the evaluator (and recorded in the report).
        var report = Evaluator(radius: radius, threshold: threshold, sweep: sweep).evaluate(images, folds: foldList)
        report.truthFolder = truth
        report.detectionsFolder = detections
        report.warnings = warnings
        print(render(report))
        if let output {
            try write(report, to: output)
            log.info("wrote evaluation.json, evaluation.csv\(sweep ? ", pr_curve.png" : "") to \(output)")
        }
    }

    // MARK: Output

    func render(_ r: EvaluationReport) -> String {
        var out: [String] = []
        let filter = threshold.map { "detections with score >= \(AnalysisFiles.score($0))" } ?? "all detections"
        out.append("TP radius \(AnalysisFiles.number(radius)) px at 40x; \(filter)")
        out.append("")
        out.append(AnalysisFiles.table(["image", "patient"] + (r.folds != nil ? ["fold"] : []) + ScoreRow.countHeader,
                                       r.images.map { [$0.name, $0.patient ?? ""] + (r.folds != nil ? [$0.fold.map(String.init) ?? "-"] : []) + $0.countCells },
                                       left: [0, 1]))
        out.append("")
        out.append(AnalysisFiles.table(["patient", "images"] + ScoreRow.countHeader,
                                       r.patients.map { [$0.name, "\($0.images ?? 0)"] + $0.countCells }))
        if let folds = r.folds, let summary = r.foldSummary {
            out.append("")
            out.append(AnalysisFiles.table(["fold", "test patients", "images"] + ScoreRow.countHeader,
                                           folds.map { ["\($0.fold ?? 0)", ($0.testPatients ?? []).joined(separator: " "), "\($0.images ?? 0)"] + $0.countCells },
                                           left: [1]))
            out.append("mean +/- std over \(folds.count) folds: " + summary.text)
        }
        out.append("")
        out.append("total: " + r.total.summaryText)
        if let s = r.sweep {
            out.append("")
            if s.curve.isEmpty {
                out.append("sweep: no detections, so no precision-recall curve")
            } else {
                out.append("precision-recall over score thresholds (\(s.curve.count) points\(threshold != nil ? ", scores >= --threshold only" : ""); every point is in evaluation.json with --output):")
                let shown = AnalysisFiles.sample(s.curve, max: 40, keeping: s.best)
                out.append(AnalysisFiles.table(["threshold"] + ScoreRow.countHeader,
                                               shown.map { [AnalysisFiles.score($0.threshold ?? 0)] + $0.countCells }, left: []))
                if let b = s.best {
                    out.append("best F1 \(AnalysisFiles.metric(b.f1)) at threshold \(AnalysisFiles.score(b.threshold ?? 0)) (" + b.summaryText + ")")
                }
                out.append("NOTE: this threshold was chosen on the same images it is scored on, so its F1 is optimistic. "
                    + (r.folds == nil ? "Pass --folds to choose each fold's threshold on the other folds' images." : "Below, each fold's threshold is chosen on the other folds' images."))
            }
            if let cv = s.crossValidated, let summary = s.crossValidatedSummary {
                out.append("")
                out.append("cross-validated: each fold at the best-F1 threshold of the other folds' images:")
                out.append(AnalysisFiles.table(["fold", "threshold", "images"] + ScoreRow.countHeader,
                                               cv.map { ["\($0.fold ?? 0)", AnalysisFiles.score($0.threshold ?? 0), "\($0.images ?? 0)"] + $0.countCells }, left: []))
                for row in cv where row.note != nil { out.append("fold \(row.fold ?? 0): \(row.note!)") }
                out.append("mean +/- std over \(cv.count) folds: " + summary.text)
            }
        }
        if !r.warnings.isEmpty { out.append(""); out.append("\(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s") (on stderr)") }
        return out.joined(separator: "\n")
    }

    func write(_ r: EvaluationReport, to folder: String) throws {
        try AnalysisFiles.writeJSON(r, to: AnalysisFiles.join(folder, "evaluation.json"))
        var csv = "level,name,patient,fold,images,threshold,tp,fp,fn,precision,recall,f1\n"
        func row(_ level: String, _ s: ScoreRow) {
            csv += [level, AnalysisFiles.csvField(s.name), AnalysisFiles.csvField(s.patient ?? ""), s.fold.map(String.init) ?? "",
                    s.images.map(String.init) ?? "", s.threshold.map { String(format: "%.4f", $0) } ?? ""].joined(separator: ",")
                + ",\(s.counts.truePositives),\(s.counts.falsePositives),\(s.counts.falseNegatives),"
                + [s.precision, s.recall, s.f1].map { $0.map { String(format: "%.4f", $0) } ?? "" }.joined(separator: ",") + "\n"
        }
        for s in r.images { row("image", s) }
        for s in r.patients { row("patient", s) }
        for s in r.folds ?? [] { row("fold", s) }
        for s in r.sweep?.crossValidated ?? [] { row("fold_cross_validated_threshold", s) }
        row("total", r.total)
        if let b = r.sweep?.best { row("best_f1_optimistic", b) }
        try AtomicFile.write(csv, to: AnalysisFiles.join(folder, "evaluation.csv"))
        if let s = r.sweep {
            try ImageIO.write(Plot.render(chart(s)), to: AnalysisFiles.join(folder, "pr_curve.png"))
        }
    }

    /// The pooled precision-recall curve with the best-F1 point marked.
    func chart(_ s: Sweep) -> Chart {
        var chart = Chart(title: "Precision-recall over score thresholds", xLabel: "Recall", yLabel: "Precision",
                          xRange: 0...1, yRange: 0...1, legend: .bottomLeft)
        func series(_ name: String, _ rows: [ScoreRow], _ color: RGBColor?, width: Double) {
            let pts = rows.compactMap { p in p.recall.flatMap { r in p.precision.map { (r, $0) } } }
            chart.series.append(ChartSeries(name: name, x: pts.map(\.0), y: pts.map(\.1), color: color, lineWidth: width))
        }
        series("All images", s.curve, RGBColor(33, 37, 41), width: 2.5)
        if let b = s.best, let r = b.recall, let p = b.precision {
            chart.markers.append(ChartMarker(name: "Best F1 (optimistic)", x: r, y: p, color: RGBColor(255, 72, 0)))
        }
        return chart
    }
}

// MARK: - Report text

extension ScoreRow {
    static let countHeader = ["TP", "FP", "FN", "precision", "recall", "F1"]
    var countCells: [String] {
        ["\(counts.truePositives)", "\(counts.falsePositives)", "\(counts.falseNegatives)",
         AnalysisFiles.metric(precision), AnalysisFiles.metric(recall), AnalysisFiles.metric(f1)]
    }
    var summaryText: String {
        "TP \(counts.truePositives), FP \(counts.falsePositives), FN \(counts.falseNegatives); precision "
            + "\(AnalysisFiles.metric(precision)), recall \(AnalysisFiles.metric(recall)), F1 \(AnalysisFiles.metric(f1))"
    }
}

extension FoldSummary {
    var text: String { "precision \(precision.text), recall \(recall.text), F1 \(f1.text)" }
}

extension FoldSummary.Figure {
    var text: String { meanStd.formatted(plusMinus: "+/-") }
}

// MARK: - Inputs

/// Ground-truth centre CSVs of a dataset folder (`PP_II.csv`).
enum GroundTruthFiles {
    struct File { var name: String; var patient: String; var path: String }

    static func list(_ folder: String) throws -> [File] {
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

/// The fold assignment of a `folds.json` written by `mitosis folds` (only the test patients of each fold
/// are read, so hand-written files `{"folds":[{"fold":1,"testPatients":["01"]}]}` work too).
enum FoldsFile {
    private struct Decoded: Decodable {
        struct Fold: Decodable { var fold: Int; var testPatients: [String] }
        var folds: [Fold]
    }

    static func read(_ argument: String) throws -> [(fold: Int, patients: [String])] {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory)
        let path = exists && isDirectory.boolValue ? AnalysisFiles.join(argument, "folds.json") : argument
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.missingInput(path: path, hint: "--folds takes the folds.json that `mitosis folds` writes into its output folder.")
        }
        let decoded: Decoded
        do { decoded = try JSONDecoder().decode(Decoded.self, from: data) } catch {
            throw PipelineError.badFile(path: path, reason: "not a folds summary: expected {\"folds\": [{\"fold\": 1, \"testPatients\": [\"01\", ...]}, ...]} as `mitosis folds` writes it")
        }
        guard !decoded.folds.isEmpty else { throw PipelineError.badFile(path: path, reason: "lists no folds") }
        var seen: [String: Int] = [:]
        for f in decoded.folds {
            for p in f.testPatients {
                if let other = seen[p], other != f.fold {
                    throw PipelineError.badFile(path: path, reason: "patient \(p) is a test patient of folds \(other) and \(f.fold); each patient is tested in one fold")
                }
                seen[p] = f.fold
            }
        }
        return decoded.folds.sorted { $0.fold < $1.fold }.map { ($0.fold, $0.testPatients) }
    }
}

/// An error message that names the file and says what to do.
struct AnalysisError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension AnalysisFiles {
    /// Names (without `.csv`) of the CSV files of a folder.
    static func csvStems(in folder: String, role: String, hint: String) throws -> Set<String> {
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
    static func looksLikeImageName(_ stem: String) -> Bool {
        guard let underscore = stem.firstIndex(of: "_") else { return false }
        return underscore != stem.startIndex
    }

    /// Entries of a detection CSV (`x,y,logodds`, 40x pixels).
    static func readDetections(_ path: String) throws -> [DetectionWriter.Entry] {
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
    static func metric(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }

    /// A number without trailing zeros.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// A CSV field, quoted when needed.
    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Pretty, key-sorted JSON written atomically.
    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(value), to: path)
    }

    /// A plain-text table: the `left` columns (text) left-aligned, the others (numbers) right-aligned.
    static func table(_ header: [String], _ rows: [[String]], left: Set<Int> = [0]) -> String {
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
    static func sample(_ rows: [ScoreRow], max: Int, keeping: ScoreRow?) -> [ScoreRow] {
        guard rows.count > max else { return rows }
        var indices = Set((0..<max).map { Int((Double($0) * Double(rows.count - 1) / Double(max - 1)).rounded()) })
        if let t = keeping?.threshold, let i = rows.firstIndex(where: { $0.threshold == t }) { indices.insert(i) }
        return indices.sorted().map { rows[$0] }
    }
}
