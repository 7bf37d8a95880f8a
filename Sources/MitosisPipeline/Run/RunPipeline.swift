import Foundation
import Logging
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisSupport
import MitosisTraining

/// `mitosis run DATASET OUT`: the tutorial's six steps, then detection, evaluation, grading and a report.
///
/// Layout of OUT (every stage is skipped when its outputs exist, so re-running resumes):
/// ```
/// round1/patches/   step 1 archives (sample-only unless `writeDatabases`), index.json, the fold lists and
///                   folds.json (step 2)
/// round1/db/        the mean images (step 3), and with `writeDatabases` the databases
/// round1/fold_K/    net, solver, snapshots, log, loss curve (step 4) and threshold.json
/// round1/maps/      held-out maps (step 5);  round1/trainmaps/fold_K/: fold K's training images, for step 6
///                   and the threshold, removed once used unless `keepIntermediates`
/// round2/fold_K/    step 6 archives, mean (and database), net, solver, snapshots, threshold.json
/// round2/maps/      held-out maps of the refined models;  round2/trainmaps/fold_K/: up to
///                   `thresholdImages` of fold K's training images (thresholds; with
///                   `ThresholdSource.trainingImages`), removed once used
/// detections/       per test image: CSV, GeoJSON (QuPath) and overlay PNG of the final round
/// model/            the final round's fold models as a bundle for `mitosis apply` (manifest.json, ModelBundle)
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
    /// How the images' pixel size was found, logged when the run starts.
    let pixelSizeNote: (text: String, warning: Bool)
    /// Annotated centres per image name (40x).
    var truth: [String: [Centre]] = [:]
    /// Step 1's index, once step 1 has run.
    var round1Index: PatchIndex?
    /// Every round-1 patch, read from the archives when a training first needs them (without databases:
    /// round 1 trains on them, round 2 tests on round 1's test side), then shared by the folds: the
    /// sample-only archives and each image's padded working image, from which patches are cut when read.
    let round1Patches = LazyValue<[ImagePatches]>()

    public init(dataset: String, out: String, options: RunOptions) throws {
        // Resolved once against the working folder: every path below is absolute (FilePaths' rule).
        datasetPath = FilePaths.absolute(dataset)
        self.out = FilePaths.absolute(out)
        self.dataset = try Dataset.discover(at: datasetPath)
        let size = try ImagePixelSize.resolve(given: options.imagePixelSize, images: self.dataset.images.map(\.imagePath))
        self.options = options.resolved(imagePixelSize: size.micronsPerPixel)
        pixelSizeNote = ImagePixelSize.message(size.micronsPerPixel, size.source)
        // Centres are checked against their image's size here, before any work: a centre off its image (a
        // swapped column order, a CSV of another image) is named with its file and line, not counted as a miss.
        for item in self.dataset.images {
            truth[item.name] = try item.csvPath.map {
                try CentreCSV.read($0, order: self.options.csvOrder, imageSize: ImageHeader.size(of: item.imagePath))
            } ?? []
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
        let claim = try OutputFolderLock(folder: out, purpose: "mitosis run")
        defer { withExtendedLifetime(claim) {} }
        let folds = try prepare()
        let chains = try foldChains(folds)
        return try finish(folds: folds, chains: chains)
    }

    /// Steps 1-3: patches, folds, and the mean images (or the databases). Returns the folds.
    @discardableResult
    public func prepare() throws -> FoldStep.Summary {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if pixelSizeNote.warning { logger.warning("\(pixelSizeNote.text)") } else { logger.info("\(pixelSizeNote.text)") }
        logger.info("working resolution \(options.workingPixelSize) um/px: scale \(String(format: "%.4g", options.patches.scale)), match radius \(String(format: "%.1f", options.matchRadius)) px (7.5 um)")
        // Round 1: steps 1-3.
        let patchDir = path("round1", "patches")
        stage("step 1: patches -> \(patchDir)")
        var patchStep = PatchStep(options: options.patches)
        // Without databases the archives need only say where each patch is: the trainings cut the pixels
        // from the working images when they read them (ImagePatches), the same pixels bit for bit.
        patchStep.storePixels = options.writeDatabases
        patchStep.csvOrder = options.csvOrder
        patchStep.logger = logger
        let index = try patchStep.run(dataset, into: patchDir, progress: stepProgress)
        stage("step 2: \(options.folds) patient-level folds")
        let mitoses = dataset.images.reduce(into: [String: Int]()) { $0[$1.patient, default: 0] += truth[$1.name]!.count }
        let folds = try FoldStep(folds: options.folds, seed: options.seed).run(index, into: patchDir, patients: mitoses)
        round1Index = index
        if options.writeDatabases {
            stage("step 3: databases (\(options.backend))")
            var dbStep = DatabaseStep(backend: options.backend, seed: options.seed)
            dbStep.logger = logger
            try dbStep.run(index, patchFolder: patchDir, folds: folds, into: path("round1", "db"),
                           progress: stepProgress)
        } else {
            stage("step 3: mean images (the folds train straight from the patch archives)")
            try writeMeans(folds)
        }
        return folds
    }

    /// Evaluation of both rounds, detections, grades, the report and the model bundle, from the folds'
    /// finished models and maps.
    func finish(folds: FoldStep.Summary, chains: [FoldModels]) throws -> ReportData {
        var finalMaps = path("round1", "maps")
        var scored = try scoredImages(folds: folds, mapsFolder: finalMaps)
        var rounds = [try evaluate(round: 1, folds: folds, scored: scored)]
        if options.refine {
            finalMaps = path("round2", "maps")
            scored = try scoredImages(folds: folds, mapsFolder: finalMaps)
            rounds.append(try evaluate(round: 2, folds: folds, scored: scored))
        }
        logger.info("models: \(chains.map { "fold \($0.fold): \($0.round2?.weights ?? $0.round1.weights)" }.joined(separator: "; "))")
        stage("detections, grades and report")
        let report = try writeResults(rounds: rounds, folds: folds, mapsFolder: finalMaps, scored: scored)
        try writeModelBundle(rounds: rounds, chains: chains)
        return report
    }

    /// Steps 4-6 of every fold, `options.jobs` folds at a time, each on its share of the cores: round-1
    /// training and held-out maps, then (with refinement) maps of the fold's training images, step-6 patches
    /// and database, round-2 training and held-out maps. Folds are independent once steps 1-3 are done.
    /// Progress counts training iterations over all folds and rounds.
    func foldChains(_ folds: FoldStep.Summary) throws -> [FoldModels] {
        let width = max(1, min(options.jobs, folds.folds.count))
        let rounds = options.refine ? 2 : 1
        stage("steps 4-6: training, maps\(options.refine ? " and refinement" : "") of \(folds.k) folds, \(width) at a time")
        let tracker = IterationTracker(total: folds.folds.count * rounds * options.training.iterations, report: onProgress)
        // Threads per chain are fixed by its position (FoldScheduler, as `mitosis train --folds --jobs`).
        let results = FoldScheduler.run(folds.folds, width: width) { fold, _ -> Result<FoldModels, Error> in
            Result {
                let chain = try self.foldChain(fold, folds: folds, tracker: tracker)
                try self.writeChain(chain)
                return chain
            }
        }
        var chains: [FoldModels] = []
        var failures: [String] = []
        for (f, r) in zip(folds.folds, results) {
            switch r {
            case .success(let c): chains.append(c)
            case .failure(let e):
                logger.error("fold \(f.fold): \(e)")
                failures.append("fold \(f.fold): \(e)")
            }
        }
        if shouldStop() { throw PipelineError.interrupted }
        if !failures.isEmpty { throw PipelineError.foldsFailed(failed: failures, total: folds.k) }
        return chains
    }

    /// Steps 4-6 for one fold (see `foldChains`).
    func foldChain(_ f: FoldStep.FoldSummary, folds: FoldStep.Summary, tracker: IterationTracker) throws -> FoldModels {
        let db = DatabaseStep.paths(fold: f.fold, patchSize: options.patches.patchSize, in: path("round1", "db"))
        let testItems = dataset.images.filter { f.testPatients.contains($0.patient) }
        logger.info("fold \(f.fold): step 4, training round 1")
        let data: (() throws -> [Phase: ShuffledPatches])? = options.writeDatabases ? nil : {
            [.train: try self.round1Records(fold: f, train: true), .test: try self.round1Records(fold: f, train: false)]
        }
        let model1 = (weights: try train(round: 1, fold: f.fold, trainDB: db.train, testDB: db.test, mean: db.mean, patches: data,
                                         progress: { tracker.set(fold: f.fold, round: 1, iteration: $0) }), mean: db.mean)
        if shouldStop() { throw PipelineError.interrupted }
        logger.info("fold \(f.fold): step 5, held-out maps (round 1)")
        try maps(testItems, model: model1, into: path("round1", "maps"))
        let trainItems = dataset.images.filter { f.trainPatients.contains($0.patient) }
        let calibrate = options.thresholdSource == .trainingImages
        // Round-1 maps of the training images: step 6 samples from them and the round-1 threshold is chosen
        // on them; once both are done they are removed (unless `keepIntermediates`).
        let round2Done = options.refine && isRefined(fold: f.fold)
        let round1Items = thresholdItems(round: 1, fold: f)   // all of them when step 6 follows
        if (calibrate && !hasThreshold(round: 1, fold: f.fold)) || (options.refine && !round2Done) {
            logger.info("fold \(f.fold): maps of \(round1Items.count) of its \(trainItems.count) training images (round 1)\(options.refine ? ", for step 6" : "")")
            try maps(round1Items, model: model1, into: trainMapsFolder(round: 1, fold: f.fold))
        }
        if calibrate { _ = try foldThreshold(round: 1, fold: f.fold, items: round1Items) }
        guard options.refine else {
            removeTrainMaps(round: 1, fold: f.fold)
            return FoldModels(fold: f.fold, round1: model1, round2: nil)
        }
        let model2 = try refine(fold: f, trainItems: trainItems, model: model1,
                                progress: { tracker.set(fold: f.fold, round: 2, iteration: $0) })
        removeTrainMaps(round: 1, fold: f.fold)
        if shouldStop() { throw PipelineError.interrupted }
        logger.info("fold \(f.fold): step 5, held-out maps (round 2)")
        try maps(testItems, model: model2, into: path("round2", "maps"))
        if calibrate && !hasThreshold(round: 2, fold: f.fold) {
            let items = thresholdItems(round: 2, fold: f)
            logger.info("fold \(f.fold): maps of \(items.count) of its \(trainItems.count) training images (round 2), for the threshold")
            try maps(items, model: model2, into: trainMapsFolder(round: 2, fold: f.fold))
            _ = try foldThreshold(round: 2, fold: f.fold, items: items)
        }
        removeTrainMaps(round: 2, fold: f.fold)
        return FoldModels(fold: f.fold, round1: model1, round2: model2)
    }

    /// `onProgress` for the steps that report from worker threads (the commands' bars are thread-safe).
    var stepProgress: (@Sendable (Int, Int) -> Void)? {
        guard let report = onProgress else { return nil }
        return { done, total in report(done, total) }
    }
}

/// The trained models of one fold.
struct FoldModels {
    var fold: Int
    var round1: (weights: String, mean: String)
    var round2: (weights: String, mean: String)?
}

/// Sums the training iterations reached by folds running side by side, for one progress bar.
final class IterationTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var reached: [String: Int] = [:]
    private let total: Int
    private let report: ((Int, Int) -> Void)?
    init(total: Int, report: ((Int, Int) -> Void)?) {
        self.total = total; self.report = report
        report?(0, total)
    }
    func set(fold: Int, round: Int, iteration: Int) {
        lock.lock()
        reached["\(fold).\(round)"] = iteration
        let done = reached.values.reduce(0, +)
        report?(min(done, total), total)   // under the lock, so the bar never sees two callers at once
        lock.unlock()
    }
}

/// A value computed once, on first use, by whichever thread asks first; the others wait for it.
final class LazyValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func get(_ make: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let made = try make()
        value = made
        return made
    }
}

