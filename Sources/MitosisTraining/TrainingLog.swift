import MitosisSupport
import Foundation
import MitosisImage
import MitosisVisuals

/// The loss-curve picture of a training log (`<prefix>_log.csv` -> `<prefix>_loss.png`).
public enum TrainingLog {
    /// Rows of a training log: (iteration, phase, loss, value) with value the learning rate (train rows) or
    /// the test accuracy (test rows).
    public static func read(_ path: String) throws -> [(iteration: Int, phase: String, loss: Double, value: Double?)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PipelineError.missingInput(path: path, hint: "train first (`mitosis train`)")
        }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3, let it = Int(f[0]), let loss = Double(f[2]) else { return nil }
            return (it, f[1], loss, f.count > 3 ? Double(f[3]) : nil)
        }
    }

    /// Renders the log next to it as `_loss.png`; returns the PNG's path.
    @discardableResult
    public static func write(logPath: String) throws -> String {
        let rows = try read(logPath)
        let chart = chart(rows, title: ((logPath as NSString).lastPathComponent as NSString).deletingPathExtension)
        let out = logPath.replacingOccurrences(of: "_log.csv", with: "_loss.png")
        try ImageIO.write(Plot.render(chart), to: out)
        return out
    }

    /// The chart: training loss, test loss and test accuracy against iterations.
    public static func chart(_ rows: [(iteration: Int, phase: String, loss: Double, value: Double?)], title: String) -> Chart {
        let train = rows.filter { $0.phase == "train" }, test = rows.filter { $0.phase == "test" }
        var series = [ChartSeries(name: "train loss", x: train.map { Double($0.iteration) }, y: train.map(\.loss))]
        if !test.isEmpty {
            let acc = test.filter { $0.value != nil }
            series.append(ChartSeries(name: "test loss", x: test.map { Double($0.iteration) }, y: test.map(\.loss)))
            series.append(ChartSeries(name: "test accuracy", x: acc.map { Double($0.iteration) }, y: acc.map { $0.value! }))
        }
        return Chart(title: title, xLabel: "iteration", yLabel: "loss / accuracy", series: series)
    }
}
