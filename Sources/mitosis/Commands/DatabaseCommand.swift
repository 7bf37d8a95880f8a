import ArgumentParser
import MitosisPipeline
import MitosisStore

/// `mitosis db`: step 3.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Step 3: per-fold training/test patch databases (Caffe Datum records) and mean images.")

    @Argument(help: "Patch folder written by `mitosis patches` (and `mitosis folds`).")
    var patches: String

    @Option(name: .shortAndLong, help: "Output folder (default: the patch folder).")
    var output: String?

    @Option(help: "Folder holding folds.json from `mitosis folds` (default: the patch folder).")
    var lists: String?

    @Option(help: "Database backend: lmdb or leveldb (the tutorial's).")
    var backend: StoreBackend = .lmdb

    @Option(help: "Seed of the record shuffle.")
    var seed: UInt64 = 1

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var step = DatabaseStep(backend: backend, seed: seed)
        step.logger = global.logger("db")
        let index = try PatchIndex.read(from: patches)
        let folds = try FoldStep.Summary.read(from: lists ?? patches)
        let bar = ProgressBar("databases", total: folds.folds.count * 2)
        defer { bar.finish() }
        try step.run(index, patchFolder: patches, folds: folds, into: output ?? patches, progress: { bar.advance() })
        print("wrote \(folds.folds.count) folds of \(backend) databases and mean images to \(output ?? patches)")
    }
}

extension StoreBackend: ExpressibleByArgument {}
