import ArgumentParser
import Foundation
import MitosisData

/// `mitosis dataset ...`: inspect a folder in the tutorial's layout.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect a dataset folder in the tutorial's layout.",
        subcommands: [DatasetCheckCommand.self])
}

/// `mitosis dataset check DIR`.
struct DatasetCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List patients, images and mitoses, and report missing or inconsistent files.",
        discussion: "Exits non-zero when any error is found. Missing _pc/_cmask masks are notes: the tool makes them.")

    @Argument(help: "Dataset folder (PP_II.tif images with PP_II.csv centres).")
    var directory: String

    @Option(help: "Column order of the centre CSVs: xy (x = column first, the tutorial's) or yx.")
    var csvOrder: CSVOrder = .xy

    @Flag(help: "Also print notes (missing helper masks that will be generated).")
    var notes = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = global.logger("dataset")
        let dataset = try Dataset.discover(at: directory)
        let bar = LazyProgressBar("checking")
        let report = DatasetCheck.run(dataset, order: csvOrder, progress: bar.update)
        bar.finish()
        print("patient  images  mitoses")
        for row in report.mitosesPerPatient {
            print(String(format: "%-8@ %6d  %7d", row.patient as NSString, row.images, row.mitoses))
        }
        let total = report.images.reduce(0) { $0 + $1.mitoses }
        print("\(report.mitosesPerPatient.count) patients, \(report.images.count) images, \(total) mitoses")
        let shown = report.findings.filter { notes || $0.severity != .note }
        for finding in shown { print(finding) }
        let errors = report.findings.filter { $0.severity == .error }.count
        let noteCount = report.findings.count - shown.count
        if noteCount > 0 { print("(\(noteCount) notes hidden; --notes shows them)") }
        if errors > 0 {
            print("\(errors) errors")
            throw ExitCode.failure
        }
    }
}

extension CSVOrder: ExpressibleByArgument {}
