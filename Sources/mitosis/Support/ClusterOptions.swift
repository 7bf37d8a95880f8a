import ArgumentParser
import Foundation
import MitosisPipeline
import MitosisSupport

/// Where a command's work runs: `--executor local` (this process) or `slurm` (batch jobs, scripts kept in
/// OUT/slurm), with Slurm's own options passed through.
struct ClusterOptions: ParsableArguments {
    enum Executor: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    @Option(help: "Where the work runs: local (this process) or slurm (batch jobs; scripts in OUT/slurm, see docs/CLUSTER.md).")
    var executor: Executor = .local

    @Option(help: "Slurm partition (sbatch --partition).")
    var partition: String?

    @Option(help: "Slurm wall-time limit per task (sbatch --time, e.g. 2:00:00).")
    var time: String?

    @Option(help: "Slurm memory per task (sbatch --mem, e.g. 8G).")
    var mem: String?

    @Option(help: "Slurm CPUs per task (default: what the task would use on this machine).")
    var cpusPerTask: Int?

    @Option(help: "Slurm account (sbatch --account).")
    var account: String?

    @Option(help: "A further sbatch argument, one per use (e.g. --sbatch-arg=--qos=long).")
    var sbatchArg: [String] = []

    @Flag(help: "With --executor slurm: only write the batch scripts and print what would be submitted.")
    var dryRun = false

    /// Set by the batch scripts: the share of the work this process does.
    @Option(help: .hidden)
    var task: String?

    @Option(help: .hidden)
    var taskThreads: Int?

    func validate() throws {
        if executor == .local, dryRun || partition != nil || time != nil || mem != nil || cpusPerTask != nil || account != nil || !sbatchArg.isEmpty {
            throw ValidationError("--dry-run and the Slurm options (--partition, --time, --mem, --cpus-per-task, --account, --sbatch-arg) need --executor slurm")
        }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
    }

    var resources: SlurmResources {
        var r = SlurmResources()
        r.partition = partition; r.time = time; r.memory = mem; r.cpusPerTask = cpusPerTask; r.account = account
        r.extra = sbatchArg
        return r
    }

    /// Options that take a value and flags that this group owns: a task's command line is the user's without them.
    static let valued: Set<String> = ["--executor", "--partition", "--time", "--mem", "--cpus-per-task", "--account", "--sbatch-arg", "--task", "--task-threads"]
    static let flags: Set<String> = ["--dry-run"]

    /// The command as typed (this executable's absolute path first), without the executor's options, each
    /// word shell-quoted: what every batch task runs again, from the folder it was typed in.
    static func taskCommand(_ arguments: [String] = CommandLine.arguments) -> [String] {
        var words: [String] = []
        var k = 1
        while k < arguments.count {
            let a = arguments[k]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if flags.contains(a) { k += 1; continue }
            if valued.contains(name) { k += a.contains("=") ? 1 : 2; continue }
            words.append(a)
            k += 1
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? FilePaths.absolute(arguments[0])
        return ([executable] + words).map(FilePaths.shellQuoted)
    }

    /// Writes the scripts and submits (or, with --dry-run, only writes), printing one line per stage.
    func submit(_ job: (ClusterSubmission, [String: String]), output: String) throws {
        guard dryRun || Slurm.available("sbatch") else {
            throw ValidationError("--executor slurm: sbatch is not on the PATH. HINT: run this on a cluster's login node, or add --dry-run to only write the scripts")
        }
        let lines = try job.0.submit(scripts: job.1, dryRun: dryRun).lines
        for line in lines { print(line) }
        print(dryRun ? "scripts in \(ClusterPlan.folder(output)) (nothing submitted)" : "follow it with: mitosis status \(FilePaths.shellQuoted(output))")
    }
}
