import Foundation
import MitosisSupport

/// How the batch scripts ask Slurm for resources: passed through to `#SBATCH` lines as given.
public struct SlurmResources: Codable, Equatable, Sendable {
    public var partition: String?
    /// Wall-time limit in any form sbatch takes (`30`, `2:00:00`, `1-00:00:00`).
    public var time: String?
    /// Memory per node in any form sbatch takes (`8G`, `16000`).
    public var memory: String?
    /// CPUs per task; nil: each stage's own default (the cores it would use on this machine).
    public var cpusPerTask: Int?
    public var account: String?
    /// Further sbatch arguments, each one `#SBATCH` line (`--qos=high`, `--constraint=avx2`).
    public var extra: [String] = []

    public init() {}

    /// The `#SBATCH` lines for a stage whose own CPU default is `cpus`.
    func directives(cpus: Int) -> [String] {
        var lines: [String] = []
        if let partition { lines.append("--partition=\(partition)") }
        if let account { lines.append("--account=\(account)") }
        if let time { lines.append("--time=\(time)") }
        if let memory { lines.append("--mem=\(memory)") }
        lines.append("--cpus-per-task=\(cpusPerTask ?? max(1, cpus))")
        return lines + extra
    }
}

/// Slurm's command-line tools (`sbatch`, `squeue`, `sacct`), run as processes: nothing of a scheduler of our
/// own. `SLURM_CONF` and the rest of the environment pass through.
public enum Slurm {
    /// The output and exit status of a command.
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static func execute(_ tool: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw PipelineError.invalidOption("cannot start \(tool) (\(error)). HINT: run on a machine with the Slurm client tools (Debian: apt-get install slurm-client), or use --executor local")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// True when `tool` is on the PATH.
    public static func available(_ tool: String = "sbatch") -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Submits `script` (its `#SBATCH` lines apply; `array` and `dependency` override them) and returns the
    /// job id. A failing sbatch is an error carrying its message.
    public static func submit(_ script: String, array: String? = nil, after dependency: [String] = []) throws -> String {
        var args = ["--parsable"]
        if let array { args.append("--array=\(array)") }
        if !dependency.isEmpty {
            args += ["--dependency=afterok:\(dependency.joined(separator: ":"))", "--kill-on-invalid-dep=yes"]
        }
        let r = try execute("sbatch", args + [script])
        let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard r.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw PipelineError.invalidOption("sbatch \(script) failed (exit \(r.status)): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)). HINT: check the #SBATCH lines of that script (partition, account, time); fix them or the options and run the same command again")
        }
        return id
    }

    /// Queued and running tasks of `jobs`, by task id (`123` or `123_4`): their state (`PENDING`,
    /// `RUNNING`, ...) and reason. Empty when squeue is missing or fails.
    public static func queue(_ jobs: [String]) -> [String: (state: String, reason: String)] {
        guard !jobs.isEmpty, available("squeue"),
              let r = try? execute("squeue", ["-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%i|%T|%r"]), r.status == 0 else { return [:] }
        var states: [String: (String, String)] = [:]
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if f.count >= 3 { states[f[0]] = (f[1], f[2]) }
        }
        return states
    }

    /// Final states of `jobs`' tasks from accounting (`COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, ...),
    /// by task id; nil when the cluster keeps no accounting (`sacct` missing or refused).
    public static func accounting(_ jobs: [String]) -> [String: String]? {
        guard !jobs.isEmpty, available("sacct"),
              let r = try? execute("sacct", ["-n", "-P", "-X", "-j", jobs.joined(separator: ","), "--format=JobID,State"]), r.status == 0 else { return nil }
        var states: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "|").map(String.init)
            if f.count >= 2 { states[f[0]] = f[1].split(separator: " ").first.map(String.init) ?? f[1] }
        }
        return states
    }
}
