import Foundation
import MitosisSupport

/// A command split into Slurm jobs: its stages, their batch scripts and the jobs submitted, kept in
/// `OUT/slurm/plan.json` for `mitosis status` and for the next submission.
///
/// Layout of `OUT/slurm/`: one `<stage>.sbatch` per stage (readable, editable, resubmittable by hand),
/// `logs/<stage>-<job>_<task>.log`, `done/<stage>-<task>` written by each task that finished, `plan.json`.
public struct ClusterPlan: Codable, Equatable {
    /// One batch script, run as a job array over `tasks` (array indices), or as one job when `tasks` is nil.
    public struct Stage: Codable, Equatable {
        public var name: String
        public var script: String
        public var tasks: [Int]?
        /// What each array index does, for people ("fold 2", a slide's name).
        public var labels: [String]
        /// Stages that must finish first (`--dependency=afterok`).
        public var after: [String]
        /// The last submission: its job id and array indices (all not yet done then).
        public var jobID: String?
        public var submitted: [Int]?

        public init(name: String, script: String, tasks: [Int]?, labels: [String], after: [String] = []) {
            self.name = name; self.script = script; self.tasks = tasks; self.labels = labels; self.after = after
        }

        /// The task indices, `[0]` standing for a stage that is one job.
        var indices: [Int] { tasks ?? [0] }
        func label(_ index: Int) -> String {
            guard let tasks, let k = tasks.firstIndex(of: index), k < labels.count else { return labels.first ?? name }
            return labels[k]
        }
    }

    /// `slide` or `run`.
    public var command: String
    public var output: String
    public var stages: [Stage]
    /// The inputs the tasks' indices refer to (`slide`: the slides, absolute), checked by every task.
    public var items: [String]?
    public var submittedAt: String?

    public init(command: String, output: String, stages: [Stage]) {
        self.command = command; self.output = FilePaths.absolute(output); self.stages = stages
    }

    public static func folder(_ output: String) -> String { FilePaths.absolute(output) + "/slurm" }
    static func file(_ output: String) -> String { folder(output) + "/plan.json" }

    public static func read(output: String) throws -> ClusterPlan? {
        let path = file(output)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(ClusterPlan.self, from: data) } catch {
            throw PipelineError.badFile(path: path, reason: "not a cluster plan (\(error)). HINT: delete it; the next submission writes it again")
        }
    }

    // MARK: - Task markers

    static func marker(_ output: String, stage: String, index: Int) -> String { "\(folder(output))/done/\(stage)-\(index)" }

    /// Written by a task when its work finished (so `mitosis status` can tell done from failed without
    /// accounting); removed when a task starts.
    public static func markDone(_ output: String, stage: String, index: Int) throws {
        let path = marker(output, stage: stage, index: index)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(Data((ISO8601DateFormatter().string(from: Date()) + " " + ProcessInfo.processInfo.hostName + "\n").utf8), to: path)
    }

    public static func clearDone(_ output: String, stage: String, index: Int) {
        try? FileManager.default.removeItem(atPath: marker(output, stage: stage, index: index))
    }

    static func isMarkedDone(_ output: String, stage: String, index: Int) -> Bool {
        FileManager.default.fileExists(atPath: marker(output, stage: stage, index: index))
    }

    /// The log file Slurm writes for `index` of `stage` in job `job`.
    func log(stage: Stage, job: String, index: Int) -> String {
        let base = "\(Self.folder(output))/logs/\(stage.name)-\(job)"
        return stage.tasks == nil ? base + ".log" : "\(base)_\(index).log"
    }
}

/// Writes a stage's batch script.
public enum SlurmScript {
    /// A bash script for sbatch: `#SBATCH` lines, then `cd` to `folder` (so the command's relative paths mean
    /// what they meant where it was typed) and `command`, whose words are given shell-quoted (they may
    /// refer to `$SLURM_ARRAY_TASK_ID`). `setup` lines run before it.
    public static func render(stage: ClusterPlan.Stage, output: String, resources: SlurmResources, cpus: Int,
                              folder: String, setup: [String] = [], command: [String]) -> String {
        let logs = "\(ClusterPlan.folder(output))/logs/\(stage.name)-" + (stage.tasks == nil ? "%j.log" : "%A_%a.log")
        var lines = [
            "#!/bin/bash",
            "# mitosis \(MitosisVersion.string): stage '\(stage.name)' of \(output).",
            "# Written by `mitosis ... --executor slurm`; every task is idempotent: resubmit a failed one with",
            "#   sbatch\(stage.tasks == nil ? "" : " --array=INDEX") \(FilePaths.shellQuoted(stage.script))",
            "#SBATCH --job-name=mitosis-\(stage.name)",
            "#SBATCH --output=\"\(logs)\"",   // sbatch takes a quoted value (a path with spaces)
        ]
        if let tasks = stage.tasks { lines.append("#SBATCH --array=\(arraySpec(tasks))") }
        lines += resources.directives(cpus: cpus).map { "#SBATCH \($0)" }
        lines += [
            "set -euo pipefail",
            "# oneDNN's threads: the CPUs Slurm gave the task.",
            "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-\(max(1, cpus))}\"",
            "export OMP_WAIT_POLICY=PASSIVE",
            "cd \(FilePaths.shellQuoted(folder))",
        ]
        lines += setup
        lines.append("exec " + command.joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0-3,7,9-10` for an index list.
    public static func arraySpec(_ indices: [Int]) -> String {
        var parts: [String] = []
        var k = 0
        let s = indices.sorted()
        while k < s.count {
            var j = k
            while j + 1 < s.count, s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(j == k ? "\(s[k])" : "\(s[k])-\(s[j])")
            k = j + 1
        }
        return parts.joined(separator: ",")
    }
}

/// Submits a plan's stages, each after the stages it depends on, leaving out tasks that are done.
public struct ClusterSubmission {
    public var plan: ClusterPlan
    /// Whether a task's work is finished (from its output files, so a local run's work counts too).
    public var isDone: (_ stage: String, _ index: Int) -> Bool

    public init(plan: ClusterPlan, isDone: @escaping (String, Int) -> Bool) {
        self.plan = plan; self.isDone = isDone
    }

    /// Writes the scripts' plan and, unless `dryRun`, submits what is not done. Returns the plan as
    /// submitted (also in `OUT/slurm/plan.json`) and one line per stage for the user.
    public func submit(scripts: [String: String], dryRun: Bool) throws -> (plan: ClusterPlan, lines: [String]) {
        let folder = ClusterPlan.folder(plan.output)
        try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
        if !dryRun, let previous = try ClusterPlan.read(output: plan.output) {
            let jobs = previous.stages.compactMap(\.jobID)
            let live = Slurm.queue(jobs)
            if !live.isEmpty {
                throw PipelineError.invalidOption("jobs \(Set(live.keys.map { String($0.split(separator: "_")[0]) }).sorted().joined(separator: ", ")) of an earlier submission into \(plan.output) are still queued or running. HINT: wait for them (`mitosis status \(plan.output)`), or scancel them, then run this again")
            }
        }
        for (name, text) in scripts {
            try AtomicFile.write(Data(text.utf8), to: name)
            chmod(name, 0o755)
        }
        var plan = self.plan
        var lines: [String] = []
        var ids: [String: String] = [:]
        for k in plan.stages.indices {
            let stage = plan.stages[k]
            let todo = stage.indices.filter { !isDone(stage.name, $0) }
            // A later stage (report, collect) runs whenever something before it was submitted.
            let upstream = stage.after.compactMap { ids[$0] }
            guard !todo.isEmpty || !upstream.isEmpty else {
                lines.append("\(stage.name): done")
                continue
            }
            let indices = todo.isEmpty ? stage.indices : todo
            let array = stage.tasks == nil ? nil : SlurmScript.arraySpec(indices)
            if dryRun {
                ids[stage.name] = "(dry run)"
                lines.append("\(stage.name): would submit \(stage.script)\(array.map { " --array=\($0)" } ?? "")\(upstream.isEmpty ? "" : " after \(stage.after.joined(separator: ", "))")")
                continue
            }
            let id = try Slurm.submit(stage.script, array: array, after: upstream)
            ids[stage.name] = id
            plan.stages[k].jobID = id
            plan.stages[k].submitted = stage.tasks == nil ? nil : indices
            for i in indices { ClusterPlan.clearDone(plan.output, stage: stage.name, index: i) }
            lines.append("\(stage.name): job \(id)\(array.map { " (array \($0))" } ?? "")\(upstream.isEmpty ? "" : ", after \(upstream.joined(separator: ", "))")")
        }
        if !dryRun { plan.submittedAt = ISO8601DateFormatter().string(from: Date()) }
        // A dry run records its plan only where nothing was submitted before (the real plan's job ids stay).
        let earlier = try ClusterPlan.read(output: plan.output)
        if !dryRun || earlier?.submittedAt == nil {
            try AnalysisFiles.writeJSON(plan, to: ClusterPlan.file(plan.output))
        }
        return (plan, lines)
    }
}
