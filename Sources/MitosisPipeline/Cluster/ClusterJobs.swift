import Foundation
import MitosisNN
import MitosisSupport

/// The Slurm stages of `mitosis slide` and `mitosis run`. Every task runs the user's own command again
/// (`command`: the shell-quoted words, executable first, without the executor's options) in the folder it was
/// typed in, with `--task` naming its share; the library then does exactly what the local executor does for
/// that share.
public enum ClusterJobs {
    /// `mitosis slide`: one array task per `perTask` slides, then `collect` (slides.csv, slides.html).
    public static func slides(_ analysis: SlideAnalysis, slides: [String], perTask: Int, resources: SlurmResources,
                              command: [String], folder: String, cores: Int = DNNL.threadCount) -> (ClusterSubmission, [String: String]) {
        let out = analysis.output
        let per = max(1, perTask)
        let groups = stride(from: 0, to: slides.count, by: per).map { Array($0..<min($0 + per, slides.count)) }
        let name = { (k: Int) in ((slides[k] as NSString).lastPathComponent as NSString).deletingPathExtension }
        let dir = ClusterPlan.folder(out)
        let stages = [
            ClusterPlan.Stage(name: "slides", script: dir + "/slides.sbatch", tasks: Array(groups.indices),
                              labels: groups.map { $0.map(name).joined(separator: ", ") }),
            ClusterPlan.Stage(name: "collect", script: dir + "/collect.sbatch", tasks: nil, labels: ["slides.csv, slides.html"], after: ["slides"]),
        ]
        let scripts = [
            stages[0].script: SlurmScript.render(stage: stages[0], output: out, resources: resources, cpus: cores, folder: folder,
                                                 command: command + ["--task", "\"$SLURM_ARRAY_TASK_ID\""]),
            stages[1].script: SlurmScript.render(stage: stages[1], output: out, resources: resources, cpus: 1, folder: folder,
                                                 command: command + ["--task", "collect"]),
        ]
        let fm = FileManager.default
        var plan = ClusterPlan(command: "slide", output: out, stages: stages)
        plan.items = slides.map { FilePaths.absolute($0) }
        let submission = ClusterSubmission(plan: plan) { stage, index in
            stage == "slides" ? groups[index].allSatisfy { fm.fileExists(atPath: analysis.summaryPath(of: slides[$0])) }
                : fm.fileExists(atPath: out + "/slides.csv")
        }
        return (submission, scripts)
    }

    /// Refuses a task whose slides are not those submitted (a folder given as input changed since): its
    /// index would name another slide.
    public static func checkSlides(_ slides: [String], output: String) throws {
        guard let submitted = try ClusterPlan.read(output: output)?.items else { return }
        let now = slides.map { FilePaths.absolute($0) }
        guard now != submitted else { return }
        let added = Set(now).subtracting(submitted).count, gone = Set(submitted).subtracting(now).count
        throw PipelineError.invalidOption("the slides given are not those submitted into \(output) (\(ClusterPlan.file(output)): \(added) added, \(gone) gone, or another order). HINT: run the same `mitosis slide ... --executor slurm` command again to submit the slides as they are now")
    }

    /// The slides of array task `task` when tasks take `perTask` slides each.
    public static func slideIndices(task: Int, perTask: Int, count: Int) throws -> [Int] {
        let per = max(1, perTask)
        guard task >= 0, task * per < count else {
            throw PipelineError.invalidOption("task \(task) is out of range: \(count) slides, \(per) per task")
        }
        return Array(task * per..<min(task * per + per, count))
    }

    /// `mitosis run`: `prepare` (steps 1-3), `folds` (one array task per fold: both rounds' training, maps
    /// and step 6), `report` (evaluation, detections, grades, report, model bundle).
    /// Fold K trains with the oneDNN threads a local run on `cores` cores gives it (so the weights equal the
    /// local executor's), unless `resources.cpusPerTask` is given: then with that many.
    public static func run(_ pipeline: RunPipeline, resources: SlurmResources, command: [String], folder: String,
                           cores: Int = DNNL.threadCount) -> (ClusterSubmission, [String: String]) {
        let out = pipeline.out
        let k = pipeline.options.folds
        let dir = ClusterPlan.folder(out)
        let stages = [
            ClusterPlan.Stage(name: "prepare", script: dir + "/prepare.sbatch", tasks: nil, labels: ["steps 1-3"]),
            ClusterPlan.Stage(name: "folds", script: dir + "/folds.sbatch", tasks: Array(1...k), labels: (1...k).map { "fold \($0)" }, after: ["prepare"]),
            ClusterPlan.Stage(name: "report", script: dir + "/report.sbatch", tasks: nil, labels: ["evaluation and report"], after: ["folds"]),
        ]
        let threads = (1...k).map { resources.cpusPerTask ?? pipeline.localThreads(fold: $0, cores: cores) }
        let share = max(1, cores / max(1, min(pipeline.options.jobs, k)))
        let setup = [
            "# oneDNN threads of fold K (entry K): a local run's on \(cores) cores with --jobs \(pipeline.options.jobs), so the weights",
            "# equal the local executor's; other counts train the same folds to weights that differ at the rounding level.",
            "threads=(0 \(threads.map(String.init).joined(separator: " ")))",
        ]
        let scripts = [
            stages[0].script: SlurmScript.render(stage: stages[0], output: out, resources: resources, cpus: cores, folder: folder,
                                                 command: command + ["--task", "prepare"]),
            stages[1].script: SlurmScript.render(stage: stages[1], output: out, resources: resources, cpus: share, folder: folder, setup: setup,
                                                 command: command + ["--task", "\"fold:$SLURM_ARRAY_TASK_ID\"", "--task-threads", "\"${threads[$SLURM_ARRAY_TASK_ID]}\""]),
            stages[2].script: SlurmScript.render(stage: stages[2], output: out, resources: resources, cpus: cores, folder: folder,
                                                 command: command + ["--task", "report"]),
        ]
        let submission = ClusterSubmission(plan: ClusterPlan(command: "run", output: out, stages: stages)) { stage, index in
            switch stage {
            case "prepare": return pipeline.isDone(.prepare)
            case "folds": return pipeline.isDone(.fold(index))
            default: return pipeline.isDone(.report)
            }
        }
        return (submission, scripts)
    }
}
