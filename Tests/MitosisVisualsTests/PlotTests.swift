import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MitosisImage
import Testing
@testable import MitosisVisuals

@Suite struct VisualsPlotTests {
    static let red = RGBColor(220, 0, 0)

    func flatChart(y: Double = 0.5) -> Chart {
        Chart(title: "Flat", xLabel: "x", yLabel: "y",
              series: [ChartSeries(name: "line", x: [0, 10], y: [y, y], color: Self.red, lineWidth: 2)],
              xRange: 0...10, yRange: 0...1, legend: .none)
    }

    @Test func rendersAtTheRequestedSize() {
        let image = Plot.render(Chart(title: "T", xLabel: "x", yLabel: "y", width: 320, height: 200))
        #expect(image.width == 320 && image.height == 200 && image.channels == 3)
        #expect(Plot.render(flatChart()).width == 640)
    }

    @Test(arguments: [0.5, 0.25, 0.8])
    func horizontalLineLandsOnTheRightRow(y: Double) {
        let chart = flatChart(y: y)
        let image = Plot.render(chart)
        let layout = ChartLayout(chart)
        // y maps linearly from the bottom edge (0) to the top edge (1) of the plot area; a 2 px line fully
        // covers the row whose centre is within half a pixel of it.
        let expectedRow = Int((layout.bottom - y * (layout.bottom - layout.top)).rounded(.down))
        let canvas = Canvas(image)
        let midColumn = Int((layout.left + layout.right) / 2)
        #expect(canvas.color(x: midColumn, y: expectedRow) == Self.red)
        #expect(canvas.color(x: midColumn, y: expectedRow - 3) != Self.red)
        #expect(canvas.color(x: midColumn, y: expectedRow + 3) != Self.red)
        // The line spans the plot area and stops at its edges.
        let redColumns = (0..<image.width).filter { canvas.color(x: $0, y: expectedRow) == Self.red }
        #expect((redColumns.first ?? -1) >= Int(layout.left) && (redColumns.last ?? .max) <= Int(layout.right))
        #expect(redColumns.count > Int(layout.right - layout.left) - 4)
    }

    @Test func seriesGetDistinctColours() {
        let chart = Chart(title: "", xLabel: "", yLabel: "",
                          series: (0..<4).map { ChartSeries(name: "s\($0)", x: [0, 1], y: [Double($0), Double($0)]) },
                          yRange: -0.5...3.5, legend: .none)
        let colors = (0..<4).map { chart.color(ofSeries: $0) }
        #expect(Set(colors).count == 4)
        let canvas = Canvas(Plot.render(chart))
        for (i, c) in colors.enumerated() {
            let layout = ChartLayout(chart)
            let row = Int(layout.canvasY(Double(i)).rounded(.down)), col = Int(layout.canvasX(0.5))
            let near = (row - 1...row + 1).map { canvas.color(x: col, y: $0) }
            #expect(near.contains(c), "series \(i) not drawn in its colour")
        }
    }

    @Test func logAxisHasDecadeTicksAndMapsDecadesEvenly() {
        let chart = Chart(title: "Loss", xLabel: "Iteration", yLabel: "Loss",
                          series: [ChartSeries(name: "train", x: [100, 1000, 10000, 600_000], y: [0.7, 0.4, 0.2, 0.1])],
                          xScale: .log10)
        let layout = ChartLayout(chart)
        let labels = layout.xTicks.filter { !$0.label.isEmpty }.map(\.label)
        #expect(labels == ["100", "1000", "10k", "100k", "1M"])
        let d1 = layout.canvasX(1000) - layout.canvasX(100), d2 = layout.canvasX(10000) - layout.canvasX(1000)
        #expect(abs(d1 - d2) < 1e-9)
        #expect(Plot.render(chart).width == 640)
    }

    @Test func linearTicksAreRoundNumbersCoveringTheData() {
        let chart = Chart(title: "", xLabel: "", yLabel: "", series: [ChartSeries(name: "", x: [0.03, 0.97], y: [0.12, 0.88])])
        let layout = ChartLayout(chart)
        #expect(layout.yRange.lowerBound <= 0.12 && layout.yRange.upperBound >= 0.88)
        #expect(layout.yTicks.map(\.label).contains("0.5"))
    }

    @Test func fontCoversEverythingTheChartsUse() {
        let needed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-+:%()/=_"
        for ch in needed { #expect(BitmapFont.characters.contains(ch), "no glyph for \(ch)") }
        // Every glyph that is not a space has ink; distinct characters look distinct.
        var seen: [[UInt8]: Character] = [:]
        for ch in BitmapFont.characters where ch != " " {
            let rows = BitmapFont.rows(of: ch)
            #expect(rows.count == BitmapFont.glyphHeight && rows.contains { $0 != 0 }, "glyph \(ch) is empty")
            #expect(rows.allSatisfy { $0 < 32 }, "glyph \(ch) is wider than 5 px")
            #expect(seen[rows] == nil, "glyphs \(ch) and \(seen[rows] ?? " ") are identical")
            seen[rows] = ch
        }
    }

    @Test func textIsDrawnWhereAsked() {
        var canvas = Canvas(width: 40, height: 20)
        canvas.text("1", x: 10, y: 5, .black)
        // "1": the middle column (2) is set in rows 0...6.
        #expect(canvas.color(x: 12, y: 5) == .black && canvas.color(x: 12, y: 11) == .black)
        #expect(canvas.color(x: 9, y: 8) == .white && canvas.color(x: 16, y: 8) == .white)
        #expect(BitmapFont.width(of: "12") == 11 && BitmapFont.width(of: "12", scale: 2) == 22)
    }

    @Test func svgIsWellFormedAndHoldsTheText() {
        let chart = Chart(title: "PR <fold 1>", xLabel: "Recall", yLabel: "Precision",
                          series: [ChartSeries(name: "Fold 1", x: [0, 0.5, 1], y: [1, 0.7, 0.2])],
                          markers: [ChartMarker(name: "Chosen", x: 0.5, y: 0.7, color: .black)])
        let svg = Plot.svg(chart, id: "t")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("PR &lt;fold 1&gt;") && svg.contains(">Recall<") && svg.contains("<polyline"))
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "the SVG is not well-formed XML")
    }
}
