import ArgumentParser
import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisPipeline
import MitosisSupport

/// `mitosis evaluate`: precision, recall and F1 of detection CSVs against ground-truth centres.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Precision, recall and F1 of detection CSVs against ground-truth centres, per image, patient and fold.",
        discussion: """
            Ground truth: the dataset folder's <name>.csv centres (x,y per line at 40x, tutorial layout; patient = \
            the part of the name before the first '_'). Detections: <name>.csv files (x,y,logodds at 40x) written by \
            `mitosis detect` or `mitosis run`. A detection within --radius 40x pixels of a centre is a true \
            positive; centres are matched greedily to the nearest unused detection, so two detections near one \
            mitosis are one TP and one FP. An image with ground truth but no detection file counts all its \
            mitoses as false negatives (with a warning). With --folds (folds.json of `mitosis folds`), figures per \
            fold and mean +/- std over folds. --sweep prints the precision-recall curve over score thresholds and \
            the threshold of best F1: a threshold chosen this way on the data it is scored on is OPTIMISTIC; \
            --sweep with --folds also chooses each fold's threshold on the other folds' images (the \
            "cross-validated" figures; `mitosis run --threshold-from other-folds` does the same, while `mitosis run` \
            by default uses each fold's own model on its training images).
            """)

    @Option(help: "Dataset folder with the ground-truth centre CSVs (<name>.csv, x,y at 40x).")
    var truth: String

    @Option(help: "Folder of detection CSVs (<name>.csv with x,y,logodds at 40x).")
    var detections: String

    @Option(help: "True-positive radius in image pixels (default: 7.5 um in the images' pixels, 30 at 0.25 um/px).")
    var radius: Double?

    @OptionGroup var resolution: PixelSizeOptions

    @Option(help: "Keep only detections with score >= T, in log-odds as the CSVs (default: all); write a negative T as --threshold=-1.5.")
    var threshold: Float?

    @Flag(help: "Print the precision-recall curve over score thresholds and the best-F1 threshold (optimistic on the same data; with --folds, also chosen on the other folds).")
    var sweep = false

    @Option(help: "folds.json written by `mitosis folds` (or its folder): figures per fold and mean +/- std.")
    var folds: String?

    @Option(name: .shortAndLong, help: "Write evaluation.json, evaluation.csv and (with --sweep) pr_curve.png here.")
    var output: String?

    @Option(help: "Column order of the ground-truth CSVs: xy (x = column first, the tutorial's) or yx.")
    var csvOrder: CSVOrder = .xy

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let radius { guard radius > 0, radius.isFinite else { throw ValidationError("--radius must be positive (got \(radius))") } }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
    }

    func run() throws {
        let log = global.logger("evaluate")
        var warnings: [String] = []
        func warn(_ message: String) { warnings.append(message); log.warning("\(message)") }

        let loaded = try EvaluationInputs.load(truth: truth, detections: detections, csvOrder: csvOrder)
        for w in loaded.warnings { warn(w) }
        guard loaded.errors.isEmpty else {
            for e in loaded.errors { log.error("\(e)") }
            log.error("\(loaded.errors.count) files could not be read; nothing was evaluated")
            throw ExitCode.failure
        }
        var images = loaded.images

        var foldList: [(fold: Int, patients: [String])]?
        if let folds {
            let list = try FoldsFile.read(folds)
            let foldOf = Dictionary(list.flatMap { f in f.patients.map { ($0, f.fold) } }, uniquingKeysWith: { a, _ in a })
            for i in images.indices { images[i].fold = foldOf[images[i].patient] }
            let outside = Set(images.filter { $0.fold == nil }.map(\.patient)).sorted(by: Dataset.patientOrder)
            if !outside.isEmpty {
                warn("patients \(outside.joined(separator: ", ")) are in no fold of \(folds): counted in the totals only")
            }
            for f in list where !images.contains(where: { $0.fold == f.fold }) {
                warn("fold \(f.fold) has no image with ground truth in \(truth) (test patients \(f.patients.joined(separator: ", ")))")
            }
            foldList = list
        }

        // --threshold is applied by the evaluator (and recorded in the report).
        let dataset = try? Dataset.discover(at: truth)
        let radius = try resolution.matchRadius(explicit: self.radius, images: dataset?.images.map(\.imagePath) ?? [], log: log)
        var report = Evaluator(radius: radius, threshold: threshold, sweep: sweep).evaluate(images, folds: foldList)
        report.truthFolder = truth
        report.detectionsFolder = detections
        report.warnings = warnings
        print(report.text())
        if let output {
            try report.write(to: output)
            log.info("wrote evaluation.json, evaluation.csv\(sweep ? ", pr_curve.png" : "") to \(output)")
        }
    }
}
