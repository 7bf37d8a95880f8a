import Foundation
import Logging
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN

/// `mitosis run DATASET OUT`: the tutorial's six steps, then detection, evaluation, grading and a report.
///
/// Layout of OUT (every stage is skipped when its outputs exist, so re-running resumes):
/// ```
/// round1/patches/   step 1 archives, index.json, the fold lists and folds.json (step 2)
/// round1/db/        step 3 databases and mean images
/// round1/fold_K/    net, solver, snapshots, log and loss curve (step 4)
/// round1/maps/      held-out maps (step 5);  round1/trainmaps/fold_K/: fold K's training images
/// round2/fold_K/    step 6 patches, database, net, solver, snapshots
/// round2/maps/      held-out maps of the refined models
/// detections/       per test image: CSV, GeoJSON (QuPath) and overlay PNG of the final round
/// report.html, report.json, summary.txt
/// ```
public final class RunPipeline {
    public let datasetPath: String
    public let out: String
    public let options: RunOptions
    public var logger = Logger(label: "mitosis.run")
    /// Stage messages ("step 4: training fold 2 of 5 ...") and progress (done, total) of the current stage.
    public var onStage: ((String) -> Void)?
    public var onProgress: ((Int, Int) -> Void)?
    /// Polled during training; when true, the run stops after writing a snapshot.
    public var shouldStop: () -> Bool = { false }

    let dataset: Dataset
    /// Annotated centres per image name (40x).
    var truth: [String: [Centre]] = [:]

    public init(dataset: String, out: String, options: RunOptions) throws {
        datasetPath = dataset
        self.out = out
        self.options = options
        self.dataset = try Dataset.discover(at: dataset)
        for item in self.dataset.images {
            truth[item.name] = try item.csvPath.map { try CentreCSV.read($0, order: options.csvOrder) } ?? []
        }
    }

    func path(_ parts: String...) -> String { ([out] + parts).joined(separator: "/") }

    func stage(_ message: String) {
        logger.info("\(message)")
        onStage?(message)
    }

    /// Runs everything; returns the report data (also written to OUT).
    @discardableResult
    public func run() throws -> ReportData {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // Round 1: steps 1-5.
        let patchDir = path("round1", "patches")
        stage("step 1: patches -> \(patchDir)")
        var patchStep = PatchStep(options: options.patches)
        patchStep.csvOrder = options.csvOrder
        patchStep.logger = logger
        let index = try patchStep.run(dataset, into: patchDir, progress: progressCounter(dataset.images.count))
        stage("step 2: \(options.folds) patient-level folds")
        let mitoses = dataset.images.reduce(into: [String: Int]()) { $0[$1.patient, default: 0] += truth[$1.name]!.count }
        let folds = try FoldStep(folds: options.folds, seed: options.seed).run(index, into: patchDir, patients: mitoses)
        stage("step 3: databases (\(options.backend))")
        var dbStep = DatabaseStep(backend: options.backend, seed: options.seed)
        dbStep.logger = logger
        try dbStep.run(index, patchFolder: patchDir, folds: folds, into: path("round1", "db"),
                       progress: progressCounter(folds.folds.count * 2))
        var models: [Int: (weights: String, mean: String)] = [:]
        for f in folds.folds {
            let db = DatabaseStep.paths(fold: f.fold, patchSize: options.patches.patchSize, in: path("round1", "db"))
            stage("step 4: training round 1, fold \(f.fold) of \(folds.k)")
            models[f.fold] = (try train(round: 1, fold: f.fold, trainDB: db.train, testDB: db.test, mean: db.mean), db.mean)
            if shouldStop() { throw PipelineError.invalidOption("interrupted: re-run the same command to resume") }
        }
        stage("step 5: probability maps of held-out images (round 1)")
        try heldOutMaps(folds: folds, models: models, into: path("round1", "maps"))
        var rounds = [try evaluate(round: 1, folds: folds, mapsFolder: path("round1", "maps"))]
        var finalMaps = path("round1", "maps")
        if options.refine {
            var models2: [Int: (weights: String, mean: String)] = [:]
            for f in folds.folds {
                stage("step 6: refinement, fold \(f.fold) of \(folds.k)")
                models2[f.fold] = try refine(fold: f, folds: folds, model: models[f.fold]!)
                if shouldStop() { throw PipelineError.invalidOption("interrupted: re-run the same command to resume") }
            }
            stage("step 5 again: probability maps of held-out images (round 2)")
            try heldOutMaps(folds: folds, models: models2, into: path("round2", "maps"))
            rounds.append(try evaluate(round: 2, folds: folds, mapsFolder: path("round2", "maps")))
            finalMaps = path("round2", "maps")
        }
        stage("detections, grades and report")
        return try writeResults(rounds: rounds, folds: folds, mapsFolder: finalMaps)
    }

    /// A progress callback counting finished units of a stage of `total`.
    func progressCounter(_ total: Int) -> @Sendable () -> Void {
        let counter = Counter()
        let report = onProgress
        report?(0, total)
        return { report?(counter.increment(), total) }
    }
}

/// A thread-safe counter for progress callbacks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
