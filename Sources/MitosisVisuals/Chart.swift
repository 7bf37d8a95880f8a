/// A line chart, independent of how it is drawn: `Plot.render` makes a raster `Image`, `Plot.svg` an SVG
/// document for the HTML report. Used for loss curves (loss and accuracy against iteration, often with a
/// log-scale x) and precision-recall curves (one series per fold, a marker at the chosen threshold).
public struct Chart: Sendable, Codable, Equatable {
    /// How data values map onto an axis.
    public enum Scale: String, Sendable, Codable { case linear, log10 }
    /// Which corner of the plot area holds the legend.
    public enum LegendPosition: String, Sendable, Codable { case topRight, topLeft, bottomRight, bottomLeft, none }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var markers: [ChartMarker]
    public var xScale: Scale
    /// Fixed axis ranges; `nil` fits the data (rounded out to whole ticks).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var legend: LegendPosition
    /// Size of the raster in pixels (the SVG uses the same view box).
    public var width: Int
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries] = [], markers: [ChartMarker] = [],
                xScale: Scale = .linear, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                legend: LegendPosition = .topRight, width: Int = 640, height: Int = 420) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.series = series; self.markers = markers
        self.xScale = xScale; self.xRange = xRange; self.yRange = yRange
        self.legend = legend; self.width = width; self.height = height
    }

    /// Colour of series `index`: its own, or the palette's in turn.
    public func color(ofSeries index: Int) -> RGBColor {
        series[index].color ?? RGBColor.seriesPalette[index % RGBColor.seriesPalette.count]
    }
}

/// One curve of a chart: points joined in the given order.
public struct ChartSeries: Sendable, Codable, Equatable {
    public enum Style: String, Sendable, Codable { case solid, dashed, dotted }

    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// `nil` picks the next palette colour.
    public var color: RGBColor?
    public var style: Style
    public var lineWidth: Double

    public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil, style: Style = .solid, lineWidth: Double = 2) {
        precondition(x.count == y.count, "a series needs as many x as y values")
        self.name = name; self.x = x; self.y = y
        self.color = color; self.style = style; self.lineWidth = lineWidth
    }

    /// Dash pattern in pixels for the style.
    var dash: [Double] {
        switch style {
        case .solid: return []
        case .dashed: return [7, 4]
        case .dotted: return [2, 3]
        }
    }
}

/// A single highlighted point (e.g. the operating point at the chosen threshold), listed in the legend.
public struct ChartMarker: Sendable, Codable, Equatable {
    public var name: String
    public var x: Double
    public var y: Double
    public var color: RGBColor
    /// Radius in pixels.
    public var radius: Double

    public init(name: String, x: Double, y: Double, color: RGBColor, radius: Double = 5) {
        self.name = name; self.x = x; self.y = y; self.color = color; self.radius = radius
    }
}
