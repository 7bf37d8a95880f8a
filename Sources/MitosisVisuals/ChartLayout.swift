import Foundation

/// Where everything of a chart goes, shared by the raster and SVG renderers: the plot rectangle, the axis
/// ranges and ticks, and the mapping from data to canvas coordinates.
///
/// Canvas coordinates are continuous (pixel i spans [i, i+1)); the plot frame lies on pixel centres so
/// 1 px axes are crisp.
public struct ChartLayout: Sendable {
    /// One tick: data value, canvas position along its axis, label (empty for minor ticks).
    public struct Tick: Sendable, Equatable {
        public var value: Double
        public var position: Double
        public var label: String
    }

    /// Plot area edges in canvas coordinates (left < right, top < bottom).
    public let left: Double, right: Double, top: Double, bottom: Double
    /// Axis ranges actually shown.
    public let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    public let xScale: Chart.Scale
    public let xTicks: [Tick], yTicks: [Tick]

    /// Font scale of the title; other text uses scale 1.
    static let titleScale = 2

    public init(_ chart: Chart) {
        xScale = chart.xScale
        let xs = zip(chart.series.flatMap(\.x), chart.series.flatMap(\.y)).filter { $0.0.isFinite && $0.1.isFinite }
            .map(\.0).filter { chart.xScale == .linear || $0 > 0 } + chart.markers.map(\.x)
        let ys = chart.series.flatMap(\.y).filter(\.isFinite) + chart.markers.map(\.y)
        let xAxis = chart.xScale == .log10
            ? _logAxis(chart.xRange ?? _extent(xs.filter { $0 > 0 }, fallback: 1...10))
            : _linearAxis(chart.xRange ?? _extent(xs, fallback: 0...1), fixed: chart.xRange != nil)
        let yAxis = _linearAxis(chart.yRange ?? _extent(ys, fallback: 0...1), fixed: chart.yRange != nil)
        xRange = xAxis.range; yRange = yAxis.range

        let labelWidth = yAxis.ticks.map { BitmapFont.width(of: $0.label) }.max() ?? 0
        let l = Double(max(44, labelWidth + 30)), t = chart.title.isEmpty ? 12.0 : 36.0
        left = l.rounded(.down) + 0.5
        right = Double(chart.width - 18) + 0.5
        top = t + 0.5
        bottom = Double(chart.height - 40) + 0.5

        let (x0, x1, y0, y1) = (left, right, top, bottom)
        let xr = xAxis.range, yr = yAxis.range, logX = chart.xScale == .log10
        xTicks = xAxis.ticks.map { Tick(value: $0.value, position: _map($0.value, xr, x0, x1, log: logX), label: $0.label) }
        yTicks = yAxis.ticks.map { Tick(value: $0.value, position: _map($0.value, yr, y1, y0, log: false), label: $0.label) }
    }

    /// Canvas x of data value `x` (not clipped).
    public func canvasX(_ x: Double) -> Double { _map(x, xRange, left, right, log: xScale == .log10) }
    /// Canvas y of data value `y` (not clipped).
    public func canvasY(_ y: Double) -> Double { _map(y, yRange, bottom, top, log: false) }

    /// Canvas points of a series, with non-finite points (and x <= 0 on a log axis) dropped.
    func points(of series: ChartSeries) -> [(x: Double, y: Double)] {
        zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite && (xScale == .linear || $0.0 > 0) }
            .map { (canvasX($0.0), canvasY($0.1)) }
    }

    /// The legend rows and box for `chart`: (colour, style, isMarker, name) and the box's top-left corner.
    func legend(_ chart: Chart) -> (entries: [LegendEntry], x: Double, y: Double, width: Double, height: Double)? {
        var entries: [LegendEntry] = chart.series.indices.map {
            LegendEntry(name: chart.series[$0].name, color: chart.color(ofSeries: $0), dash: chart.series[$0].dash, isMarker: false)
        }
        entries += chart.markers.map { LegendEntry(name: $0.name, color: $0.color, dash: [], isMarker: true) }
        entries.removeAll { $0.name.isEmpty }
        guard chart.legend != .none, !entries.isEmpty else { return nil }
        let w = Double((entries.map { BitmapFont.width(of: $0.name) }.max() ?? 0) + 40)
        let h = Double(entries.count * LegendEntry.rowHeight + 10)
        let pad = 8.0
        let x = (chart.legend == .topLeft || chart.legend == .bottomLeft) ? left + pad : right - pad - w
        let y = (chart.legend == .topLeft || chart.legend == .topRight) ? top + pad : bottom - pad - h
        return (entries, x.rounded(.down), y.rounded(.down), w, h)
    }
}

/// One legend row.
struct LegendEntry {
    static let rowHeight = 14
    var name: String
    var color: RGBColor
    var dash: [Double]
    var isMarker: Bool
}

private func _map(_ v: Double, _ range: ClosedRange<Double>, _ a: Double, _ b: Double, log: Bool) -> Double {
    let f: (Double) -> Double = log ? { log10($0) } : { $0 }
    let lo = f(range.lowerBound), hi = f(range.upperBound)
    return a + (f(v) - lo) / (hi - lo) * (b - a)
}

private func _extent(_ values: [Double], fallback: ClosedRange<Double>) -> ClosedRange<Double> {
    guard let lo = values.min(), let hi = values.max() else { return fallback }
    if lo == hi { return lo == 0 ? -1...1 : (lo - abs(lo) * 0.5)...(hi + abs(hi) * 0.5) }
    return lo...hi
}

/// Ticks at 1, 2 or 5 times a power of ten, about six of them; the range is rounded out to whole ticks
/// unless it was fixed by the caller.
private func _linearAxis(_ range: ClosedRange<Double>, fixed: Bool) -> (range: ClosedRange<Double>, ticks: [(value: Double, label: String)]) {
    let span = range.upperBound - range.lowerBound
    let raw = (span > 0 ? span : 1) / 6
    let magnitude = pow(10, floor(log10(raw)))
    let n = raw / magnitude
    let step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude
    let lo = fixed ? range.lowerBound : floor(range.lowerBound / step + 1e-9) * step
    let hi = fixed ? range.upperBound : ceil(range.upperBound / step - 1e-9) * step
    var ticks: [(Double, String)] = []
    var k = ceil(lo / step - 1e-9)
    while k * step <= hi + step * 1e-9 {
        let v = abs(k * step) < step * 1e-9 ? 0 : k * step
        ticks.append((v, ChartLayout.format(v, step: step)))
        k += 1
    }
    return (lo...(hi > lo ? hi : lo + 1), ticks)
}

/// Decades as labelled ticks, 2..9 times each decade as unlabelled minor ticks.
private func _logAxis(_ range: ClosedRange<Double>) -> (range: ClosedRange<Double>, ticks: [(value: Double, label: String)]) {
    let lo = floor(log10(max(range.lowerBound, 1e-300)) + 1e-9), hi = max(lo + 1, ceil(log10(range.upperBound) - 1e-9))
    var ticks: [(Double, String)] = []
    for e in Int(lo)...Int(hi) {
        let decade = pow(10, Double(e))
        ticks.append((decade, ChartLayout.format(decade, step: decade)))
        if e < Int(hi) { for m in 2...9 { ticks.append((Double(m) * decade, "")) } }
    }
    return (pow(10, lo)...pow(10, hi), ticks)
}

extension ChartLayout {
    /// A tick label: as many decimals as the step needs; thousands as `k`, millions as `M`.
    public static func format(_ v: Double, step: Double) -> String {
        if abs(v) >= 1_000_000, (v / 1_000_000).rounded() == v / 1_000_000 { return "\(Int(v / 1_000_000))M" }
        if abs(v) >= 10_000, (v / 1_000).rounded() == v / 1_000 { return "\(Int(v / 1_000))k" }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }
}
