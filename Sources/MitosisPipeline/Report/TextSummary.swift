import Foundation

/// The report as Markdown for the terminal and for README-style notes: key figures, fold tables, grades,
/// settings (no pictures).
public enum TextSummary {
    public static func render(_ d: ReportData) -> String {
        var out: [String] = ["# \(d.title)", ""]
        var facts = ["\(d.cohort.patients) patients", "\(d.cohort.images) images", "\(d.cohort.mitoses) mitoses"]
        if !d.cohort.source.isEmpty { facts.append(d.cohort.source) }
        out.append("Cohort: " + facts.joined(separator: ", ") + (d.generated.isEmpty ? "" : ". Generated \(d.generated)."))
        if !d.rounds.isEmpty {
            out.append("")
            out += d.rounds.map { "- Round \($0.round) mean F1: \($0.summary.f1.formatted(plusMinus: "+/-"))" }
        }
        for r in d.rounds {
            out += ["", "## \(r.name)", "",
                    "| Fold | Test patients | Threshold (log-odds) | TP | FP | FN | Precision | Recall | F1 |",
                    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for f in r.folds.sorted(by: { $0.fold < $1.fold }) {
                let c = f.counts
                out.append("| \(f.fold) | \(f.testPatients.joined(separator: ", ")) | \(String(format: "%.2f", f.threshold)) | "
                    + "\(c.truePositives) | \(c.falsePositives) | \(c.falseNegatives) | \(fmt(c.precision)) | "
                    + "\(fmt(c.recall)) | \(fmt(c.f1)) |")
            }
            let p = r.pooled, s = r.summary
            out.append("| pooled | | | \(p.truePositives) | \(p.falsePositives) | \(p.falseNegatives) | "
                + "\(fmt(p.precision)) | \(fmt(p.recall)) | \(fmt(p.f1)) |")
            out.append("| mean +/- std | | | | | | \(s.precision.formatted(plusMinus: "+/-")) | "
                + "\(s.recall.formatted(plusMinus: "+/-")) | \(s.f1.formatted(plusMinus: "+/-")) |")
        }
        if !d.grades.isEmpty {
            out += ["", "## Mitotic grade", "",
                    "| Patient | Images | Detected | Per 10 HPF | Per mm^2 | Score | Expert count | Expert score |",
                    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for g in d.grades.sorted(by: { $0.patient.localizedStandardCompare($1.patient) == .orderedAscending }) {
                out.append("| \(g.patient) | \(g.images) | \(g.grade.count) | \(String(format: "%.1f", g.grade.per10HPF)) | "
                    + "\(String(format: "%.2f", g.grade.perMM2)) | \(g.grade.score) | "
                    + "\(g.truthCount.map(String.init) ?? "-") | \(g.truthGrade.map { String($0.score) } ?? "-") |")
            }
        }
        if !d.settings.commands.isEmpty || !d.settings.values.isEmpty {
            out += ["", "## Settings", ""]
            out += d.settings.commands.map { "    \($0)" }
            if !d.settings.commands.isEmpty && !d.settings.values.isEmpty { out.append("") }
            out += d.settings.values.map { "- \($0.name): \($0.value)" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func fmt(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
}
