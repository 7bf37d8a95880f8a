import Foundation
import MitosisImage
import MitosisSupport
import MitosisVisuals

/// The text, CSV, JSON and chart of an evaluation (what `mitosis evaluate` prints and writes).
extension EvaluationReport {

    /// The report as the text `mitosis evaluate` prints.
    public func text() -> String {
        let r = self
        var out: [String] = []
        let filter = r.threshold.map { "detections with score >= \(AnalysisFiles.score($0))" } ?? "all detections"
        out.append("TP radius \(String(format: "%.1f", r.radius)) px of the images; \(filter)")
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
                out.append("precision-recall over score thresholds (\(s.curve.count) points\(r.threshold != nil ? ", scores >= --threshold only" : ""); every point is in evaluation.json with --output):")
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
            if let own = s.bestPerFold, let summary = s.bestPerFoldSummary {
                out.append("")
                out.append("each fold at the best-F1 threshold of its own images (OPTIMISTIC: how well each fold's detections are ranked):")
                out.append(AnalysisFiles.table(["fold", "threshold", "images"] + ScoreRow.countHeader,
                                               own.map { ["\($0.fold ?? 0)", AnalysisFiles.score($0.threshold ?? 0), "\($0.images ?? 0)"] + $0.countCells }, left: []))
                out.append("mean +/- std over \(own.count) folds: " + summary.text)
            }
        }
        if !r.warnings.isEmpty { out.append(""); out.append("\(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s") (on stderr)") }
        return out.joined(separator: "\n")
    }

    /// Writes evaluation.json, evaluation.csv and (with a sweep) pr_curve.png into `folder`.
    public func write(to folder: String) throws {
        let r = self
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

extension ScoreRow {
    public static let countHeader = ["TP", "FP", "FN", "precision", "recall", "F1"]
    public var countCells: [String] {
        ["\(counts.truePositives)", "\(counts.falsePositives)", "\(counts.falseNegatives)",
         AnalysisFiles.metric(precision), AnalysisFiles.metric(recall), AnalysisFiles.metric(f1)]
    }
    public var summaryText: String {
        "TP \(counts.truePositives), FP \(counts.falsePositives), FN \(counts.falseNegatives); precision "
            + "\(AnalysisFiles.metric(precision)), recall \(AnalysisFiles.metric(recall)), F1 \(AnalysisFiles.metric(f1))"
    }
}

extension FoldSummary {
    public var text: String { "precision \(precision.text), recall \(recall.text), F1 \(f1.text)" }
}

extension FoldSummary.Figure {
    public var text: String { meanStd.formatted(plusMinus: "+/-") }
}
