import Foundation
import MitosisSupport

/// `mitosis status OUT`: what every task of a cluster submission is doing, from the tasks' own markers,
/// Slurm's queue (`squeue`) and, where the cluster keeps accounting, `sacct`; a failed task comes with the
/// last line of its log and the command that resubmits it.
public struct ClusterStatus {
    public enum State: String, Codable, Sendable {
        case done, pending, running, failed, cancelled
        /// Not queued, not done, and no accounting to say why (killed, pre-empted, failed at start).
        case stopped = "not running"
        case notSubmitted = "not submitted"
    }

    public struct Task: Codable, Sendable {
        public var stage: String
        public var index: Int
        public var label: String
        public var state: State
        /// The queue's reason (`Dependency`, `Resources`) or the log's last line for a failed task.
        public var detail: String?
    }

    public var plan: ClusterPlan
    public var tasks: [Task]
    /// Whether `sacct` answered.
    public var accounting: Bool

    public static func read(output: String) throws -> ClusterStatus {
        guard let plan = try ClusterPlan.read(output: output) else {
            throw PipelineError.missingInput(path: ClusterPlan.file(output), hint: "nothing was submitted into \(output) with --executor slurm")
        }
        let jobs = plan.stages.compactMap(\.jobID)
        let queue = Slurm.queue(jobs)
        let sacct = Slurm.accounting(jobs)
        var tasks: [Task] = []
        for stage in plan.stages {
            for index in stage.indices {
                var task = Task(stage: stage.name, index: index, label: stage.label(index), state: .notSubmitted)
                let submitted = stage.jobID != nil && (stage.tasks == nil || (stage.submitted ?? []).contains(index))
                if ClusterPlan.isMarkedDone(plan.output, stage: stage.name, index: index) {
                    task.state = .done
                } else if let job = stage.jobID, submitted {
                    let id = stage.tasks == nil ? job : "\(job)_\(index)"
                    // A pending array is listed as one line `JOB_[0-3]` until its tasks start.
                    let queued = queue[id] ?? queue.first { $0.key.hasPrefix(job + "_[") && Self.arrayLine($0.key, contains: index) }?.value
                    if let q = queued {
                        task.state = q.state == "RUNNING" || q.state == "COMPLETING" ? .running : .pending
                        task.detail = q.reason == "None" ? nil : q.reason
                    } else {
                        let final = sacct?[id]
                        switch final {
                        case "COMPLETED": task.state = .failed; task.detail = "completed without finishing its work"
                        case .some(let s) where s.hasPrefix("CANCELLED"): task.state = .cancelled
                        case .some(let s): task.state = .failed; task.detail = s
                        case nil: task.state = .stopped
                        }
                        let log = plan.log(stage: stage, job: job, index: index)
                        if let line = Self.lastLine(of: log) { task.detail = [task.detail, line].compactMap { $0 }.joined(separator: ": ") }
                    }
                }
                tasks.append(task)
            }
        }
        return ClusterStatus(plan: plan, tasks: tasks, accounting: sacct != nil)
    }

    /// Whether a pending-array line such as `12_[0-3,7%2]` covers `index`.
    static func arrayLine(_ id: String, contains index: Int) -> Bool {
        guard let open = id.firstIndex(of: "["), let close = id.lastIndex(of: "]") else { return false }
        let body = id[id.index(after: open)..<close].split(separator: "%")[0]
        for part in body.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 1, ends[0] == index { return true }
            if ends.count == 2, (ends[0]...ends[1]).contains(index) { return true }
        }
        return false
    }

    static func lastLine(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { String($0.prefix(300)) }
    }

    /// Everything done?
    public var finished: Bool { tasks.allSatisfy { $0.state == .done } }

    /// The table for people, and how to resubmit what did not finish.
    public var text: String {
        var lines = ["\(plan.command) in \(plan.output)\(plan.submittedAt.map { ", submitted \($0)" } ?? "")\(accounting ? "" : " (no Slurm accounting here: states from squeue and the task logs)")"]
        for stage in plan.stages {
            let mine = tasks.filter { $0.stage == stage.name }
            let counts = Dictionary(grouping: mine, by: \.state).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            lines.append("  \(stage.name)\(stage.jobID.map { " (job \($0))" } ?? ""): \(counts.joined(separator: ", "))")
            for t in mine where t.state != .done {
                lines.append("    \(t.label): \(t.state.rawValue)\(t.detail.map { " - \($0)" } ?? "")")
            }
        }
        let redo = tasks.filter { [.failed, .cancelled, .stopped].contains($0.state) }
        if !redo.isEmpty {
            lines.append("To finish: run the same `mitosis \(plan.command) ... --executor slurm` command again (it submits only what is not done), or resubmit by hand:")
            for stage in plan.stages {
                let idx = redo.filter { $0.stage == stage.name }.map(\.index)
                guard !idx.isEmpty else { continue }
                lines.append("  sbatch\(stage.tasks == nil ? "" : " --array=\(SlurmScript.arraySpec(idx))") \(stage.script)")
            }
        } else if finished {
            lines.append("all \(tasks.count) tasks done")
        }
        return lines.joined(separator: "\n")
    }
}
