import ArgumentParser
import Foundation
import MitosisImage
import MitosisPipeline
import MitosisStore

/// `mitosis run DATASET OUT`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Steps 1-6, detection, evaluation and grading, with an HTML report. Re-running resumes.")

    @Argument(help: "Dataset folder in the tutorial's layout.")
    var dataset: String

    @Argument(help: "Output folder.")
    var output: String

    @OptionGroup var settings: RunArguments
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let options = settings.options(defaultIterations: TrainingSchedule().iterations)
        guard cluster.executor == .slurm || cluster.task != nil else {
            return try RunCommand.execute(dataset: dataset, output: output, options: options, global: global)
        }
        let pipeline = try RunCommand.pipeline(dataset: dataset, output: output, options: options, global: global)
        guard let task = cluster.task else {
            let job = ClusterJobs.run(pipeline, resources: cluster.resources, command: ClusterOptions.taskCommand(),
                                      folder: FileManager.default.currentDirectoryPath)
            return try cluster.submit(job, output: output)
        }
        // A batch task: one stage, then its marker for `mitosis status`.
        let stage = try RunPipeline.Stage(parsing: task)
        let report = try pipeline.runStage(stage, threads: cluster.taskThreads)
        if case .fold(let k) = stage { try ClusterPlan.markDone(output, stage: "folds", index: k) } else {
            try ClusterPlan.markDone(output, stage: task, index: 0)
        }
        if let report { RunCommand.printFigures(report) }
        print("task \(task): done")
    }

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
