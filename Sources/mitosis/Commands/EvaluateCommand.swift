import ArgumentParser
import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisPipeline
import MitosisSupport

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
