import MitosisVisuals

/// The report's charts, built from its raw curves.
public enum ReportCharts {
    /// Precision against recall, one series per fold, a dark marker at each fold's chosen threshold.
    public static func precisionRecall(_ round: RoundResult) -> Chart {
        var chart = Chart(title: "Precision-recall, round \(round.round)", xLabel: "Recall", yLabel: "Precision",
                          xRange: 0...1, yRange: 0...1, legend: .bottomLeft)
        for curve in round.precisionRecall.sorted(by: { $0.fold < $1.fold }) {
            let pts = curve.points.sorted { $0.threshold > $1.threshold }
                .compactMap { p in p.counts.recall.flatMap { r in p.counts.precision.map { (r, $0) } } }
            chart.series.append(ChartSeries(name: "Fold \(curve.fold)", x: pts.map(\.0), y: pts.map(\.1)))
            let chosen = curve.points.min { abs($0.threshold - curve.chosenThreshold) < abs($1.threshold - curve.chosenThreshold) }
            if let chosen, let r = chosen.counts.recall, let p = chosen.counts.precision {
                chart.markers.append(ChartMarker(name: chart.markers.isEmpty ? "Chosen threshold" : "", x: r, y: p,
                                                 color: RGBColor(33, 37, 41), radius: 4))
            }
        }
        return chart
    }

    /// Train loss, test loss and test accuracy against iteration (log x) for one fold.
    public static func loss(_ curve: LossCurve, round: Int) -> Chart {
        var chart = Chart(title: "Round \(round), fold \(curve.fold): training", xLabel: "Iteration",
                          yLabel: "Loss / accuracy", xScale: .log10, legend: .bottomLeft)
        chart.series.append(ChartSeries(name: "Train loss", x: curve.trainIterations.map(Double.init), y: curve.trainLoss,
                                        color: RGBColor.seriesPalette[0], lineWidth: 1.5))
        if !curve.testLoss.isEmpty {
            chart.series.append(ChartSeries(name: "Test loss", x: curve.testIterations.map(Double.init), y: curve.testLoss,
                                            color: RGBColor.seriesPalette[1]))
        }
        if !curve.testAccuracy.isEmpty {
            chart.series.append(ChartSeries(name: "Test accuracy", x: curve.testIterations.map(Double.init),
                                            y: curve.testAccuracy, color: RGBColor.seriesPalette[2], style: .dashed))
        }
        return chart
    }
}
