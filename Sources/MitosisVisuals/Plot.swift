import MitosisImage

/// Draws a `Chart` into an RGB `Image` (write it with `ImageIO.write(_, to: "x.png")`) with the built-in
/// bitmap font: frame, grid, ticks and numeric labels, title, axis labels, legend, series and markers.
public enum Plot {
    static let ink = RGBColor(33, 37, 41)
    static let axis = RGBColor(90, 96, 104)
    static let grid = RGBColor(228, 231, 235)
    static let minorGrid = RGBColor(242, 244, 246)

    /// The chart as a `chart.width x chart.height` RGB image.
    public static func render(_ chart: Chart) -> Image {
        let layout = ChartLayout(chart)
        var canvas = Canvas(width: chart.width, height: chart.height)
        drawGrid(&canvas, layout)
        // Series are clipped to the plot area by drawing them on their own canvas and copying the area back.
        var plotArea = canvas
        for (i, series) in chart.series.enumerated() {
            plotArea.polyline(layout.points(of: series), chart.color(ofSeries: i), lineWidth: series.lineWidth, dash: series.dash)
        }
        for m in chart.markers {
            let x = layout.canvasX(m.x), y = layout.canvasY(m.y)
            plotArea.disk(cx: x, cy: y, radius: m.radius + 1.5, .white)
            plotArea.disk(cx: x, cy: y, radius: m.radius, m.color)
            plotArea.ring(cx: x, cy: y, radius: m.radius, thickness: 1.2, ink)
        }
        copy(plotArea, into: &canvas, layout)
        drawAxes(&canvas, layout, chart)
        if let legend = layout.legend(chart) { drawLegend(&canvas, legend) }
        return canvas.image
    }

    private static func drawGrid(_ c: inout Canvas, _ l: ChartLayout) {
        for t in l.xTicks {
            c.line(from: (t.position, l.top), to: (t.position, l.bottom), t.label.isEmpty ? minorGrid : grid)
        }
        for t in l.yTicks { c.line(from: (l.left, t.position), to: (l.right, t.position), grid) }
    }

    private static func copy(_ source: Canvas, into c: inout Canvas, _ l: ChartLayout) {
        var image = c.image
        for y in Int(l.top)...Int(l.bottom) {
            let start = (y * image.width + Int(l.left)) * 3, end = (y * image.width + Int(l.right) + 1) * 3
            image.pixels.replaceSubrange(start..<end, with: source.image.pixels[start..<end])
        }
        c = Canvas(image)
    }

    private static func drawAxes(_ c: inout Canvas, _ l: ChartLayout, _ chart: Chart) {
        c.polyline([(l.left, l.top), (l.right, l.top), (l.right, l.bottom), (l.left, l.bottom), (l.left, l.top)], axis)
        for t in l.xTicks {
            let length = t.label.isEmpty ? 3.0 : 5.0
            c.line(from: (t.position, l.bottom), to: (t.position, l.bottom + length), axis)
            guard !t.label.isEmpty else { continue }
            c.text(t.label, x: Int(t.position) - BitmapFont.width(of: t.label) / 2, y: Int(l.bottom) + 9, ink)
        }
        for t in l.yTicks {
            c.line(from: (l.left - 5, t.position), to: (l.left, t.position), axis)
            c.text(t.label, x: Int(l.left) - 8 - BitmapFont.width(of: t.label), y: Int(t.position) - 3, ink)
        }
        let s = ChartLayout.titleScale
        c.text(chart.title, x: (chart.width - BitmapFont.width(of: chart.title, scale: s)) / 2, y: 12, ink, scale: s)
        let midX = Int((l.left + l.right) / 2), midY = Int((l.top + l.bottom) / 2)
        c.text(chart.xLabel, x: midX - BitmapFont.width(of: chart.xLabel) / 2, y: Int(l.bottom) + 24, ink)
        c.text(chart.yLabel, x: 8, y: midY + BitmapFont.width(of: chart.yLabel) / 2, ink, vertical: true)
    }

    private static func drawLegend(_ c: inout Canvas,
                                   _ g: (entries: [LegendEntry], x: Double, y: Double, width: Double, height: Double)) {
        c.fillRect(x: Int(g.x), y: Int(g.y), width: Int(g.width), height: Int(g.height), .white, alpha: 0.9)
        let x0 = g.x + 0.5, y0 = g.y + 0.5, x1 = x0 + g.width - 1, y1 = y0 + g.height - 1
        c.polyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], grid.mixed(with: axis, 0.3))
        for (i, e) in g.entries.enumerated() {
            let rowY = g.y + 5 + Double(i * LegendEntry.rowHeight), midY = rowY + 4.5
            if e.isMarker {
                c.disk(cx: g.x + 17, cy: midY, radius: 4, e.color)
                c.ring(cx: g.x + 17, cy: midY, radius: 4, thickness: 1.2, ink)
            } else {
                c.polyline([(g.x + 8, midY), (g.x + 26, midY)], e.color, lineWidth: 2, dash: e.dash.isEmpty ? [] : [4, 3])
            }
            c.text(e.name, x: Int(g.x) + 32, y: Int(rowY), ink)
        }
    }
}
