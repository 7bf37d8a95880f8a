import Foundation

extension Plot {
    /// The same chart as a standalone SVG document (`<svg ...>...</svg>`), with real text, for the HTML report.
    /// The view box is `chart.width x chart.height`; the element scales to its container's width.
    /// - Parameter id: prefix of the element ids inside (the clip path); must be unique within an HTML page.
    public static func svg(_ chart: Chart, id: String = "chart") -> String {
        let l = ChartLayout(chart)
        var out: [String] = []
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(chart.width) \(chart.height)\" "
            + "width=\"\(chart.width)\" height=\"\(chart.height)\" class=\"chart\" role=\"img\" "
            + "aria-label=\"\(escapeXML(chart.title))\" font-family=\"Helvetica, Arial, sans-serif\">")
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
        let clipID = "\(id)-clip"
        out.append("<defs><clipPath id=\"\(clipID)\"><rect x=\"\(n(l.left))\" y=\"\(n(l.top))\" "
            + "width=\"\(n(l.right - l.left))\" height=\"\(n(l.bottom - l.top))\"/></clipPath></defs>")
        for t in l.xTicks {
            out.append(svgLine(t.position, l.top, t.position, l.bottom, t.label.isEmpty ? minorGrid : grid))
        }
        for t in l.yTicks { out.append(svgLine(l.left, t.position, l.right, t.position, grid)) }
        out.append("<g clip-path=\"url(#\(clipID))\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">")
        for (i, s) in chart.series.enumerated() {
            let pts = l.points(of: s).map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
            let dash = s.dash.isEmpty ? "" : " stroke-dasharray=\"\(s.dash.map { n($0) }.joined(separator: " "))\""
            out.append("<polyline points=\"\(pts)\" stroke=\"\(chart.color(ofSeries: i).hex)\" "
                + "stroke-width=\"\(n(s.lineWidth))\"\(dash)><title>\(escapeXML(s.name))</title></polyline>")
        }
        for m in chart.markers {
            out.append("<circle cx=\"\(n(l.canvasX(m.x)))\" cy=\"\(n(l.canvasY(m.y)))\" r=\"\(n(m.radius))\" "
                + "fill=\"\(m.color.hex)\" stroke=\"\(ink.hex)\" stroke-width=\"1.2\"><title>\(escapeXML(m.name))</title></circle>")
        }
        out.append("</g>")
        out.append("<rect x=\"\(n(l.left))\" y=\"\(n(l.top))\" width=\"\(n(l.right - l.left))\" "
            + "height=\"\(n(l.bottom - l.top))\" fill=\"none\" stroke=\"\(axis.hex)\"/>")
        for t in l.xTicks {
            out.append(svgLine(t.position, l.bottom, t.position, l.bottom + (t.label.isEmpty ? 3 : 5), axis))
            if !t.label.isEmpty { out.append(svgText(t.label, t.position, l.bottom + 17, anchor: "middle", size: 11)) }
        }
        for t in l.yTicks {
            out.append(svgLine(l.left - 5, t.position, l.left, t.position, axis))
            out.append(svgText(t.label, l.left - 8, t.position + 4, anchor: "end", size: 11))
        }
        out.append(svgText(chart.title, Double(chart.width) / 2, 22, anchor: "middle", size: 15, weight: "600"))
        out.append(svgText(chart.xLabel, (l.left + l.right) / 2, l.bottom + 33, anchor: "middle", size: 12))
        let midY = (l.top + l.bottom) / 2
        out.append("<text transform=\"translate(14 \(n(midY))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" "
            + "fill=\"\(ink.hex)\">\(escapeXML(chart.yLabel))</text>")
        if let g = l.legend(chart) {
            let width = g.width + 20  // proportional text is wider than the bitmap font
            let x = chart.legend == .topRight || chart.legend == .bottomRight ? g.x - 20 : g.x
            out.append("<rect x=\"\(n(x))\" y=\"\(n(g.y))\" width=\"\(n(width))\" height=\"\(n(g.height))\" "
                + "fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#cfd4da\" rx=\"3\"/>")
            for (i, e) in g.entries.enumerated() {
                let midY = g.y + 9.5 + Double(i * LegendEntry.rowHeight)
                if e.isMarker {
                    out.append("<circle cx=\"\(n(x + 17))\" cy=\"\(n(midY))\" r=\"4\" fill=\"\(e.color.hex)\" "
                        + "stroke=\"\(ink.hex)\" stroke-width=\"1.2\"/>")
                } else {
                    let dash = e.dash.isEmpty ? "" : " stroke-dasharray=\"4 3\""
                    out.append("<line x1=\"\(n(x + 8))\" y1=\"\(n(midY))\" x2=\"\(n(x + 26))\" y2=\"\(n(midY))\" "
                        + "stroke=\"\(e.color.hex)\" stroke-width=\"2\"\(dash)/>")
                }
                out.append(svgText(e.name, x + 32, midY + 4, anchor: "start", size: 11))
            }
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private static func svgLine(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ c: RGBColor) -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(c.hex)\"/>"
    }

    private static func svgText(_ s: String, _ x: Double, _ y: Double, anchor: String, size: Int, weight: String = "400") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\" "
            + "fill=\"\(ink.hex)\">\(escapeXML(s))</text>"
    }

    /// A coordinate with at most two decimals.
    private static func n(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
    }
}

/// `&`, `<`, `>`, `"` and `'` escaped for XML and HTML text and attributes.
public func escapeXML(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(ch)
        }
    }
    return out
}
