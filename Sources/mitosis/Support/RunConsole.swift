import Foundation
import MitosisPipeline

/// How the CLI runs a `RunPipeline` (`run`, `demo` and cluster tasks): logging to the command's logger, a
/// progress bar per stage, Ctrl-C handling, and the figures printed at the end.
enum RunConsole {
    /// A pipeline logging to the command's logger, with a progress bar per stage and Ctrl-C handling.
    static func pipeline(dataset: String, output: String, options: RunOptions, global: GlobalOptions) throws -> RunPipeline {
        let pipeline = try RunPipeline(dataset: dataset, out: output, options: options)
        pipeline.logger = global.logger("run")
        let bar = Box<ProgressBar>()
        var label = ""
        pipeline.onStage = { message in bar.value?.finish(); label = message; bar.value = nil }
        pipeline.onProgress = { done, total in
            if bar.value == nil { bar.value = ProgressBar(String(label.prefix(40)), total: total) }
            bar.value?.update(done: done)
        }
        StopSignal.install()
        pipeline.shouldStop = { StopSignal.isRequested }
        return pipeline
    }

    static func execute(dataset: String, output: String, options: RunOptions, global: GlobalOptions) throws {
        let start = Date()
        let pipeline = try pipeline(dataset: dataset, output: output, options: options, global: global)
        let report = try pipeline.run()
        pipeline.onStage?("finished")   // ends the last progress bar
        printFigures(report)
        print(String(format: "finished in %.1f min; report: %@/report.html", Date().timeIntervalSince(start) / 60, output))
    }

    static func printFigures(_ report: ReportData) {
        for round in report.rounds {
            print("\(round.name): F1 \(round.summary.f1.formatted()) (precision \(round.summary.precision.formatted()), recall \(round.summary.recall.formatted())) over \(round.folds.count) folds")
        }
    }
}

/// A mutable reference captured by the progress callbacks.
final class Box<T> { var value: T? }
