import ArgumentParser
import MitosisPipeline

/// `mitosis folds`: step 2.
struct FoldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folds",
        abstract: "Step 2: patient-level k-fold lists (the tutorial's train/test_w32_[parent_]k.txt files).")

    @Argument(help: "Patch folder written by `mitosis patches`.")
    var patches: String

    @Option(name: .shortAndLong, help: "Output folder for the list files and folds.json (default: the patch folder).")
    var output: String?

    @Option(help: "Number of folds.")
    var folds = 5

    @Option(help: "Seed of the fold assignment.")
    var seed: UInt64 = 1

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let log = global.logger("folds")
        let index = try PatchIndex.read(from: patches)
        let summary = try FoldStep(folds: folds, seed: seed).run(index, into: output ?? patches)
        for f in summary.folds {
            print("fold \(f.fold): test patients \(f.testPatients.joined(separator: " ")) (\(f.testImages) images, \(f.testMitoses) mitoses); "
                + "train patches \(f.trainPatches[1]) positive / \(f.trainPatches[0]) negative")
        }
        log.info("wrote \(summary.k) folds to \(output ?? patches)")
    }
}
