import Foundation
import MitosisData
import MitosisSupport

/// Step 2 (`step2_make_training_lists.m`): patient-level folds and the tutorial's four list files per fold.
///
/// For fold k, in the output folder: `train_w32_parent_k.txt` and `test_w32_parent_k.txt` (one patient id
/// per line), `train_w32_k.txt` and `test_w32_k.txt` (`<patch file name> <class>` per line), and
/// `folds.json`, a machine-readable summary (patients, images, patches per class per fold).
public struct FoldStep {
    public var folds = 5
    public var seed: UInt64 = 1

    public init(folds: Int = 5, seed: UInt64 = 1) { self.folds = folds; self.seed = seed }

    /// Summary of one fold.
    public struct FoldSummary: Sendable, Codable, Equatable {
        public var fold: Int
        public var trainPatients: [String]
        public var testPatients: [String]
        public var trainImages: Int
        public var testImages: Int
        /// Patches per class: `[negatives, positives]`.
        public var trainPatches: [Int]
        public var testPatches: [Int]
        public var testMitoses: Int
    }

    /// What `folds.json` holds.
    public struct Summary: Sendable, Codable, Equatable {
        public var k: Int
        public var seed: UInt64
        public var patchSize: Int
        public var assignment: FoldAssignment
        public var folds: [FoldSummary]

        /// `folder/folds.json`, read by `FoldsFile.summary` (the one reader of that file).
        public static func read(from folder: String) throws -> Summary { try FoldsFile.summary(folder) }
    }

    /// Writes the list files for the patches indexed in `patchFolder` into `folder`.
    /// - Parameter patients: mitoses of every patient to assign (default: the indexed ones). Patients that
    ///   step 1 left out (no mitoses) can be assigned too: they have no patches, but are tested in their fold.
    public func run(_ index: PatchIndex, into folder: String, patients: [String: Int]? = nil) throws -> Summary {
        let assignment = try FoldAssignment.make(mitoses: patients ?? index.mitosesPerPatient, k: folds, seed: seed)
        let w = index.options.patchSize
        var summaries: [FoldSummary] = []
        for fold in 1...folds {
            let train = assignment.trainPatients(fold), test = assignment.testPatients(fold)
            try AtomicFile.write(train.map { $0 + "\n" }.joined(), to: "\(folder)/train_w\(w)_parent_\(fold).txt")
            try AtomicFile.write(test.map { $0 + "\n" }.joined(), to: "\(folder)/test_w\(w)_parent_\(fold).txt")
            let trainSide = try writeList(index, patients: Set(train), to: "\(folder)/train_w\(w)_\(fold).txt")
            let testSide = try writeList(index, patients: Set(test), to: "\(folder)/test_w\(w)_\(fold).txt")
            summaries.append(FoldSummary(
                fold: fold, trainPatients: train, testPatients: test, trainImages: trainSide.images,
                testImages: testSide.images, trainPatches: trainSide.perClass, testPatches: testSide.perClass,
                testMitoses: index.entries.filter { test.contains($0.patient) }.reduce(0) { $0 + $1.mitoses }))
        }
        let summary = Summary(k: folds, seed: seed, patchSize: w, assignment: assignment, folds: summaries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(summary), to: folder + "/folds.json")
        return summary
    }

    private func writeList(_ index: PatchIndex, patients: Set<String>, to path: String) throws -> (images: Int, perClass: [Int]) {
        var text = ""
        var perClass = [0, 0]
        var images = 0
        for entry in index.entries where patients.contains(entry.patient) {
            images += 1
            for (name, label) in index.patchNames(of: entry) {
                text += "\(name) \(label)\n"
                perClass[label] += 1
            }
        }
        try AtomicFile.write(text, to: path)
        return (images, perClass)
    }
}
