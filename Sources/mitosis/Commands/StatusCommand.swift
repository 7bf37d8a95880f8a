import ArgumentParser
import Foundation
import MitosisPipeline

/// `mitosis status OUT`: the tasks of a `--executor slurm` submission into OUT: done, pending, running,
/// failed (with their log's last line), and how to resubmit what did not finish.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which tasks of a Slurm submission (mitosis slide/run --executor slurm) are done, running or failed.",
        discussion: """
            Reads OUT/slurm/plan.json, the tasks' markers in OUT/slurm/done, squeue and, where the cluster keeps \
            accounting, sacct. A task that is neither done nor queued failed or was stopped: its log's last line \
            is shown (OUT/slurm/logs). Exits 0 when every task is done, 1 when some failed, 2 while some are \
            queued or running.
            """)

    @Argument(help: "Output folder of the submission.")
    var output: String

    @Flag(help: "Print the states as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = global.logger("status")
        let status = try ClusterStatus.read(output: output)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status.tasks), as: UTF8.self))
        } else {
            print(status.text)
        }
        if status.finished { return }
        let live = status.tasks.contains { $0.state == .pending || $0.state == .running }
        throw ExitCode(live ? 2 : 1)
    }
}
