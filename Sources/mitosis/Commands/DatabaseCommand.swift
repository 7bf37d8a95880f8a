import ArgumentParser
import MitosisPipeline
import MitosisStore

/// `mitosis db`: step 3, from patch archives per fold, or from one list file (`convert_imageset`).
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Step 3: per-fold training/test patch databases (Caffe Datum records) and mean images.",
        discussion: """
            With --from-list, builds one database from a tutorial-style list (`<image file> <label>` per line) \
            and the images under --root, like `convert_imageset -shuffle ROOT LIST DB`, plus the mean image \
            (--mean) like `compute_image_mean`: mitosis db --from-list train_w32_1.txt --root patches -o DB_train_1
            """)

    @Argument(help: "Patch folder written by `mitosis patches` (and `mitosis folds`); not used with --from-list.")
    var patches: String?

    @Option(name: .shortAndLong, help: "Output folder (default: the patch folder); with --from-list, the database path.")
    var output: String?

    @Option(help: "Folder holding folds.json from `mitosis folds` (default: the patch folder).")
    var lists: String?

    @Option(help: "Database backend: lmdb or leveldb (the tutorial's).")
    var backend: StoreBackend = .lmdb

    @Option(help: "Seed of the record shuffle.")
    var seed: UInt64 = 1

    @Option(name: .customLong("from-list"), help: "Build one database from this list file (`<image file> <label>` lines).")
    var fromList: String?

    @Option(help: "With --from-list: the folder the list's image paths are relative to.")
    var root: String?

    @Option(help: "With --from-list: also write the mean image (.binaryproto), as compute_image_mean.")
    var mean: String?

    @Flag(help: "With --from-list: keep the list order instead of shuffling.")
    var noShuffle = false

    @Flag(help: "With --from-list: replace an existing database at the output path.")
    var overwrite = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if fromList != nil {
            guard output != nil else { throw ValidationError("--from-list needs --output DB (the database to write)") }
            guard patches == nil else { throw ValidationError("give either a patch folder or --from-list, not both") }
        } else {
            guard patches != nil else { throw ValidationError("give a patch folder, or --from-list LIST --root DIR -o DB") }
            guard root == nil, mean == nil, !noShuffle, !overwrite else {
                throw ValidationError("--root, --mean, --no-shuffle and --overwrite go with --from-list")
            }
        }
    }

    func run() throws {
        if let fromList, let output { return try runList(fromList, output: output) }
        guard let patches else { return }
        var step = DatabaseStep(backend: backend, seed: seed)
        step.logger = global.logger("db")
        let index = try PatchIndex.read(from: patches)
        let folds = try FoldStep.Summary.read(from: lists ?? patches)
        let bar = LazyProgressBar("databases")
        defer { bar.finish() }
        try step.run(index, patchFolder: patches, folds: folds, into: output ?? patches, progress: bar.update)
        print("wrote \(folds.folds.count) folds of \(backend) databases and mean images to \(output ?? patches)")
    }

    private func runList(_ list: String, output: String) throws {
        var builder = ListDatabase(backend: backend, shuffle: !noShuffle, seed: seed)
        builder.overwrite = overwrite
        builder.logger = global.logger("db")
        let report = try builder.build(list: list, root: root ?? ".", output: output, mean: mean)
        print("wrote \(report.records) records (\(report.channels)x\(report.height)x\(report.width)) to \(backend) database \(output)"
              + (mean.map { " and the mean image \($0)" } ?? ""))
    }
}

extension StoreBackend: ExpressibleByArgument {}
