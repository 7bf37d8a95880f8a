import Foundation
import MitosisImage
import Testing
@testable import MitosisPipeline
import MitosisVisuals

@Suite struct ReportHTMLTests {
    static let demo: ReportData = try! ReportDemo.make(seed: 3, folds: 3, imagesPerFold: 1, side: 96)

    @Test func htmlHoldsTheFoldTableValues() {
        let html = HTMLReport.render(Self.demo)
        for round in Self.demo.rounds {
            #expect(html.contains(HTMLReport.h(round.name)))
            for f in round.folds {
                let c = f.counts
                let row = "<td class=\"num\">\(c.truePositives)</td><td class=\"num\">\(c.falsePositives)</td>"
                    + "<td class=\"num\">\(c.falseNegatives)</td>"
                #expect(html.contains(row))
                #expect(html.contains("<td class=\"num\">" + String(format: "%.2f", f.threshold) + "</td>"))
                if let f1 = c.f1 { #expect(html.contains(String(format: "%.3f", f1))) }
            }
            #expect(html.contains(round.summary.f1.formatted()))
        }
        for g in Self.demo.grades { #expect(html.contains("<td>\(g.patient)</td>")) }
        #expect(html.contains("mitosis patches --data data/"))
    }

    @Test func htmlIsBalancedAndSelfContained() {
        let html = HTMLReport.render(Self.demo)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for tag in ["html", "head", "body", "main", "section", "table", "thead", "tbody", "tr", "td", "th", "svg",
                    "figure", "div", "header", "nav", "pre", "style", "span"] {
            let opens = html.components(separatedBy: "<\(tag)>").count - 1 + html.components(separatedBy: "<\(tag) ").count - 1
            let closes = html.components(separatedBy: "</\(tag)>").count - 1
            #expect(opens == closes, "<\(tag)> opened \(opens) times, closed \(closes) times")
        }
        #expect(!html.contains("src=\"http") && !html.contains("<script"))
    }

    @Test func embeddedImagesDecodeAsPNG() throws {
        let html = HTMLReport.render(Self.demo)
        let marker = "src=\"data:image/png;base64,"
        let parts = html.components(separatedBy: marker).dropFirst()
        #expect(parts.count == Self.demo.images.count * 2 + 1)  // overlay + heatmap per image, one colour bar
        for part in parts {
            let b64 = String(part.prefix { $0 != "\"" })
            let bytes = try #require(Data(base64Encoded: b64))
            let image = try PNGCodec.decode([UInt8](bytes), path: "<data uri>")
            #expect(image.width > 0 && image.channels == 3)
        }
    }

    @Test func reportDataRoundTripsThroughJSON() throws {
        let data = try Self.demo.jsonData()
        let back = try JSONDecoder().decode(ReportData.self, from: data)
        #expect(HTMLReport.render(back) == HTMLReport.render(Self.demo))
    }

    @Test func meanStdIsTheSampleStandardDeviation() {
        let s = MeanStd([0.2, 0.4, 0.6])
        #expect(abs(s.mean! - 0.4) < 1e-12 && abs(s.std! - 0.2) < 1e-12)
        #expect(s.formatted() == "0.400 ± 0.200")
        #expect(MeanStd([]).formatted() == "–" && MeanStd([0.5]).formatted() == "0.500")
    }

    @Test func textSummaryListsRoundsAndGrades() {
        let text = TextSummary.render(Self.demo)
        #expect(text.hasPrefix("# Mitosis detection"))
        #expect(text.contains("| Fold | Test patients |") && text.contains("## Mitotic grade"))
        for r in Self.demo.rounds { #expect(text.contains("Round \(r.round) mean F1: \(r.summary.f1.formatted(plusMinus: "+/-"))")) }
    }
}
