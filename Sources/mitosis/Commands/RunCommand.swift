import ArgumentParser
import Foundation
import MitosisImage
import MitosisPipeline
import MitosisStore
import MitosisTraining

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
            return try RunConsole.execute(dataset: dataset, output: output, options: options, global: global)
        }
        let pipeline = try RunConsole.pipeline(dataset: dataset, output: output, options: options, global: global)
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
        if let report { RunConsole.printFigures(report) }
        print("task \(task): done")
    }
}
