import Foundation
import MitosisImage
import MitosisVisuals

extension HTMLReport {
    // MARK: Results

    static func resultsSection(_ d: ReportData) -> String {
        var out = ["<section id=\"results\">", "<h2>Detection results</h2>",
                   "<p class=\"note\">Patient-level cross-validation. A detection is a true positive within 30 px (40x) "
                   + "of an expert centre, each centre matching at most one detection. Detection scores are the log-odds "
                   + "ln(P / (1 - P)) of the disk-smoothed P(mitosis) (P = 1 / (1 + e^-score)), which keep the ranking "
                   + "of confident detections whose P rounds to 1. The threshold of each fold is "
                   + "chosen without its test images (see Settings, threshold choice). Mean ± sample standard deviation over folds.</p>"]
        if d.rounds.isEmpty { out.append("<p class=\"note\">No results yet.</p>") }
        for r in d.rounds {
            out.append("<h3>\(h(r.name))</h3>")
            out.append(foldTable(r))
        }
        // The rounds' curves side by side, so refinement's effect is visible at a glance.
        let curves = d.rounds.filter { !$0.precisionRecall.isEmpty }
            .map { Plot.svg(ReportCharts.precisionRecall($0), id: "pr\($0.round)") }
        if !curves.isEmpty {
            out.append("<h3>Precision-recall curves</h3><p class=\"note\">Test images of each fold; the dot is the "
                + "operating point at the fold's threshold, chosen without its test images.</p>")
            out.append("<div class=\"charts\">\(curves.joined(separator: "\n"))</div>")
        }
        out.append("</section>")
        return out.joined(separator: "\n")
    }

    static func foldTable(_ r: RoundResult) -> String {
        let head = "<tr><th class=\"num\">Fold</th><th>Test patients</th><th class=\"num\">Threshold (log-odds)</th>"
            + "<th class=\"num\">TP</th><th class=\"num\">FP</th><th class=\"num\">FN</th><th class=\"num\">Precision</th>"
            + "<th class=\"num\">Recall</th><th class=\"num\">F1</th></tr>"
        let rows = r.folds.sorted { $0.fold < $1.fold }.map { f in
            "<tr><td class=\"num\">\(f.fold)</td><td>\(h(f.testPatients.joined(separator: ", ")))</td>"
                + "<td class=\"num\">\(String(format: "%.2f", f.threshold))</td>" + countCells(f.counts)
                + "<td class=\"num\">\(fmt(f.counts.precision))</td><td class=\"num\">\(fmt(f.counts.recall))</td>"
                + "<td class=\"num\">\(fmt(f.counts.f1))</td></tr>"
        }
        let s = r.summary, pooled = r.pooled
        let foot = "<tr><td></td><td>Pooled over folds</td><td></td>" + countCells(pooled)
            + "<td class=\"num\">\(fmt(pooled.precision))</td><td class=\"num\">\(fmt(pooled.recall))</td>"
            + "<td class=\"num\">\(fmt(pooled.f1))</td></tr>"
            + "<tr><td></td><td>Mean ± std over folds</td><td></td><td></td><td></td><td></td>"
            + "<td class=\"num\">\(s.precision.formatted())</td><td class=\"num\">\(s.recall.formatted())</td>"
            + "<td class=\"num\">\(s.f1.formatted())</td></tr>"
        return "<table class=\"folds\"><thead>\(head)</thead><tbody>\n\(rows.joined(separator: "\n"))\n</tbody>"
            + "<tfoot>\(foot)</tfoot></table>"
    }

    static func countCells(_ c: MatchCounts) -> String {
        "<td class=\"num\">\(c.truePositives)</td><td class=\"num\">\(c.falsePositives)</td><td class=\"num\">\(c.falseNegatives)</td>"
    }

    // MARK: Training

    static func trainingSection(_ d: ReportData) -> String {
        var out = ["<section id=\"training\">", "<h2>Training</h2>",
                   "<p class=\"note\">Softmax loss on training batches and on the fold's test patches, and test "
                   + "accuracy, against iteration (log scale).</p>"]
        for r in d.rounds where !r.losses.isEmpty {
            out.append("<h3>\(h(r.name))</h3>")
            let charts = r.losses.sorted { $0.fold < $1.fold }.map {
                Plot.svg(ReportCharts.loss($0, round: r.round), id: "loss\(r.round)-\($0.fold)")
            }
            out.append("<div class=\"charts\">\(charts.joined(separator: "\n"))</div>")
        }
        out.append("</section>")
        return out.joined(separator: "\n")
    }

    // MARK: Images

    static func imagesSection(_ d: ReportData) -> String {
        let style = OverlayStyle()
        let bar = (try? PNGCodec.encode(Heatmap.colorBar(width: 160, height: 12))).map { dataURI(Data($0)) } ?? ""
        func swatch(_ c: RGBColor, _ label: String) -> String {
            "<span><span class=\"swatch\" style=\"border-color:\(c.hex)\"></span>\(label)</span>"
        }
        var out = ["<section id=\"images\">", "<h2>Test images</h2>",
                   "<div class=\"legendrow\">"
                   + swatch(style.truePositive, "true positive (detection)")
                   + swatch(style.falsePositive, "false positive (detection)")
                   + swatch(style.falseNegative, "missed mitosis (false negative)")
                   + "<span><span class=\"swatch\" style=\"border-color:#adb5bd\"></span>expert centre found (white)</span>"
                   + "<span>P(mitosis): 0<img class=\"colorbar\" src=\"\(bar)\" alt=\"colour scale\">1</span></div>",
                   "<div class=\"gallery\">"]
        for image in d.images.sorted(by: { ($0.round, $0.fold, $0.name) < ($1.round, $1.fold, $1.name) }) {
            out.append(tile(image))
        }
        out.append("</div></section>")
        return out.joined(separator: "\n")
    }

    static func tile(_ i: ImageResult) -> String {
        func img(_ data: Data?, _ alt: String) -> String {
            guard let data else { return "<div></div>" }
            return "<img src=\"\(dataURI(data))\" alt=\"\(h(alt))\" loading=\"lazy\">"
        }
        let c = i.counts
        return "<figure class=\"tile\"><div class=\"pics\">\(img(i.overlayImage, "\(i.name) detections"))"
            + "\(img(i.heatmapImage, "\(i.name) heatmap"))</div><figcaption>"
            + "<div class=\"name\">\(h(i.name))</div>"
            + "<div class=\"meta\">patient \(h(i.patient)) · fold \(i.fold) · round \(i.round)</div>"
            + "<div class=\"counts\"><span class=\"tp\">TP \(c.truePositives)</span><span class=\"fp\">FP \(c.falsePositives)</span>"
            + "<span class=\"fn\">FN \(c.falseNegatives)</span><span>F1 \(fmt(c.f1))</span></div>"
            + "</figcaption></figure>"
    }

    // MARK: Grading

    static func gradingSection(_ d: ReportData) -> String {
        let head = "<tr><th>Patient</th><th class=\"num\">Images</th><th class=\"num\">Area (mm²)</th>"
            + "<th class=\"num\">Detected</th><th class=\"num\">Per 10 HPF</th><th class=\"num\">Per mm²</th>"
            + "<th class=\"num\">Score</th><th class=\"num\">Expert count</th><th class=\"num\">Expert score</th></tr>"
        let rows = d.grades.sorted { $0.patient.localizedStandardCompare($1.patient) == .orderedAscending }.map { g in
            "<tr><td>\(h(g.patient))</td><td class=\"num\">\(g.images)</td>"
                + "<td class=\"num\">\(String(format: "%.3f", g.grade.areaMM2))</td><td class=\"num\">\(g.grade.count)</td>"
                + "<td class=\"num\">\(String(format: "%.1f", g.grade.per10HPF))</td>"
                + "<td class=\"num\">\(String(format: "%.2f", g.grade.perMM2))</td>"
                + "<td class=\"num\">\(scoreBadge(g.grade.score))</td>"
                + "<td class=\"num\">\(g.truthCount.map(String.init) ?? "–")</td>"
                + "<td class=\"num\">\(g.truthGrade.map { scoreBadge($0.score) } ?? "–")</td></tr>"
        }
        return """
        <section id="grading">
        <h2>Mitotic count and grade</h2>
        <p class="note">Score 1 / 2 / 3 for ≤ 7 / 8–14 / ≥ 15 mitoses per 10 high-power fields, from the detections on all \
        of a patient's images.</p>
        <table class="grades"><thead>\(head)</thead><tbody>
        \(rows.joined(separator: "\n"))
        </tbody></table>
        </section>
        """
    }

    static func scoreBadge(_ s: Int) -> String { "<span class=\"score s\(min(3, max(1, s)))\">\(s)</span>" }

    // MARK: Settings

    static func settingsSection(_ d: ReportData) -> String {
        var out = ["<section id=\"settings\">", "<h2>Settings</h2>"]
        if !d.settings.commands.isEmpty {
            out.append("<h3>Commands</h3><pre><code>\(h(d.settings.commands.joined(separator: "\n")))</code></pre>")
        }
        if !d.settings.values.isEmpty {
            out.append("<table class=\"settings\"><tbody>")
            out += d.settings.values.map { "<tr><th>\(h($0.name))</th><td>\(h($0.value))</td></tr>" }
            out.append("</tbody></table>")
        }
        out.append("</section>")
        return out.joined(separator: "\n")
    }
}
