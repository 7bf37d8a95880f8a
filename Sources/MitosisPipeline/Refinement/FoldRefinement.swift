import Foundation
import Logging
import MitosisData
import MitosisStore
import MitosisSupport
import MitosisTraining

/// `mitosis refine` in the library: step 6 for one fold of a step-by-step run (patches -> folds -> db ->
/// train -> refine -> train). Reads the step-1/2 outputs, maps the fold's training images with the round-1
/// model (or reuses their maps), runs `RefineStep` as `mitosis run` does, and writes the round-2 net and
/// solver with `run`'s schedule. Only the fold's training patients are read; its test patients never.
public struct FoldRefinement {
    public var dataset: String
    /// Step-1/2 patch folder (index.json; folds.json and the round-1 databases unless `lists`).
    public var patches: String
    public var lists: String?
    public var fold: Int
    /// The round-1 model whose maps of the training images drive the sampling (unless `maps`).
    public var model: (net: String, weights: String, mean: String)?
    /// A folder with the round-1 maps of every training image, used instead of computing them.
    public var maps: String?
    /// How the maps are computed (when they are): `mitosis run`'s settings unless changed.
    public var mapOptions = RunOptions().maps
    public var output: String
    public var pixelsPerImage = 3636
    public var fixedPerImage = false
    public var positiveAngles: [Int] = Array(stride(from: 0, to: 360, by: 15))
    public var negativeAngles = [0, 90, 180, 270]
    /// Database backend (nil: that of the round-1 databases, else LMDB).
    public var backend: StoreBackend?
    /// The round-1 test database for the round-2 net's test phase (nil: `DB_test_<fold>` beside folds.json).
    public var testDB: String?
    public var csvOrder: CSVOrder = .xy
    public var seed: UInt64 = 1
    /// The round-2 solver's schedule (`mitosis run`'s by default).
    public var schedule = TrainingSchedule()
    public var logger = Logger(label: "mitosis.refine")

    public init(dataset: String, patches: String, fold: Int, output: String) {
        self.dataset = dataset; self.patches = patches; self.fold = fold; self.output = output
    }

    /// What was done.
    public struct Result {
        /// Maps computed and found already there (both 0 when `maps` was given).
        public var mapsComputed = 0, mapsSkipped = 0
        public var mapFolder: String
        public var refined: RefineStep.Output
        public var backend: StoreBackend
        public var patchFolder: String
        public var trainPatients: [String]
    }

    /// What an output folder was made with (`OUT/refine.json`): resuming with other settings would mix patches.
    struct Settings: Codable, Equatable {
        var fold: Int
        var pixelsPerImage: Int
        var fixedPerImage: Bool
        var positiveAngles: [Int]
        var negativeAngles: [Int]
        var seed: UInt64
        var backend: String
        var trainPatients: [String]
    }

    /// - Parameters: mapProgress, patchProgress: (done, total) of the maps and of the images' patches.
    public func run(mapProgress: ((Int, Int) -> Void)? = nil, patchProgress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Result {
        let listFolder = lists ?? patches
        guard FilePaths.absolute(output) != FilePaths.absolute(patches), FilePaths.absolute(output) != FilePaths.absolute(listFolder) else {
            throw PipelineError.invalidOption("-o \(output): use a new output folder, not the round-1 patch folder (its DB_train_\(fold) would be taken for the round-2 one)")
        }
        // Steps 1-2 outputs: the patch geometry and the fold's patients.
        let index = try PatchIndex.read(from: patches)
        let folds = try FoldStep.Summary.read(from: listFolder)
        guard let foldSummary = folds.folds.first(where: { $0.fold == fold }) else {
            let known = folds.folds.map(\.fold)
            throw PipelineError.invalidOption("--fold \(fold): \(listFolder)/folds.json has folds \(known.min() ?? 0)-\(known.max() ?? 0)")
        }
        for file in [model?.net, model?.weights, model?.mean].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: file) {
            throw PipelineError.missingInput(path: file, hint: "give the round-1 deploy prototxt (--net), this fold's .caffemodel (--weights) and its mean .binaryproto (--mean)")
        }
        if let maps {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: maps, isDirectory: &isFolder), isFolder.boolValue else {
                throw PipelineError.missingInput(path: maps, hint: "--maps takes the folder of round-1 maps (<name>_prob.png) of the training images")
            }
        }
        // The fold's training images (patients step 1 left out stay out).
        let trainPatients = Set(foldSummary.trainPatients).subtracting(index.excluded.keys)
        let data = try Dataset.discover(at: dataset)
        let items = data.images.filter { trainPatients.contains($0.patient) }
        guard !items.isEmpty else {
            throw PipelineError.invalidOption("\(dataset): no images of fold \(fold)'s training patients (\(foldSummary.trainPatients.joined(separator: " "))). HINT: give the dataset the patch folder \(patches) was made from.")
        }
        let testPatients = Set(foldSummary.testPatients)
        if let both = items.first(where: { testPatients.contains($0.patient) }) {
            throw PipelineError.badFile(path: listFolder + "/folds.json", reason: "patient \(both.patient) is both a training and a test patient of fold \(fold). HINT: re-run `mitosis folds`.")
        }
        if let maps {
            for item in items where !FileManager.default.fileExists(atPath: maps + "/" + item.name + "_prob.png") {
                throw PipelineError.missingInput(path: maps + "/" + item.name + "_prob.png",
                                                 hint: "--maps needs the round-1 map of every training image of fold \(fold) (`mitosis probmap`), or give --net/--weights/--mean to compute them")
            }
        }
        // Database backend: that of the round-1 databases unless chosen.
        let round1Test = testDB ?? DatabaseStep.paths(fold: fold, patchSize: index.options.patchSize, in: listFolder).test
        let detected = StoreBackend.detect(at: URL(fileURLWithPath: round1Test))
        let store = backend ?? detected ?? .lmdb
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try checkSettings(Settings(fold: fold, pixelsPerImage: pixelsPerImage, fixedPerImage: fixedPerImage, positiveAngles: positiveAngles,
                                   negativeAngles: negativeAngles, seed: seed, backend: store.name,
                                   trainPatients: trainPatients.sorted(by: Dataset.patientOrder)))

        // Round-1 maps of the training images.
        var options = index.options
        options.seed = seed
        let mapFolder = maps ?? output + "/maps"
        var computed = 0, skipped = 0
        if maps == nil, let model {
            var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: mapFolder), scale: options.scale)
            job.stainNormalization = options.stainNormalization
            let mapOptions = self.mapOptions
            let done = try job.mapAll(items.map { URL(fileURLWithPath: $0.imagePath) }, stopAtFirstFailure: true, mapper: {
                let classifier = try ClassifierModel.load(net: URL(fileURLWithPath: model.net), weights: URL(fileURLWithPath: model.weights),
                                                          mean: URL(fileURLWithPath: model.mean))
                return try ProbabilityMapper(models: [classifier], options: mapOptions)
            }, progress: mapProgress, onMapped: { url, seconds in
                logger.info("\(url.lastPathComponent): map in \(String(format: "%.2f", seconds)) s")
            })
            (computed, skipped) = (done.computed, done.skipped)
            if skipped > 0 { logger.info("\(skipped) of \(items.count) maps already in \(mapFolder): skipped") }
        } else if maps == nil {
            throw PipelineError.invalidOption("give the round-1 model (--net, --weights and --mean), or its maps of the training images (--maps DIR)")
        }

        // Second-round patches and the fold's second-round training database and mean (RefineStep, as `run`).
        var step = RefineStep(patches: options)
        step.pixelsPerImage = pixelsPerImage
        step.fixedPerImage = fixedPerImage
        step.positiveAngles = positiveAngles
        step.negativeAngles = negativeAngles
        step.backend = store
        step.databaseSeed = seed &+ 2
        step.csvOrder = csvOrder
        step.logger = logger
        let patchFolder = output + "/patches"
        let refined = try step.run(fold: fold, images: items, root: data.root, maps: mapFolder, patchFolder: patchFolder,
                                   databaseFolder: output, progress: patchProgress)

        // Net and solver for round 2 (paths inside OUT relative to it, the round-1 test database absolute).
        let testSource = roundTwoTestSource(round1Test, detected: detected, backend: store, ownTrain: refined.database)
        try schedule.writeFoldFiles(into: output, trainDB: refined.database, testDB: testSource, mean: refined.mean,
                                    backend: store, snapshotPrefix: "round2_\(fold)", seed: seed &+ UInt64(200 + fold), tree: output)
        return Result(mapsComputed: computed, mapsSkipped: skipped, mapFolder: mapFolder, refined: refined, backend: store,
                      patchFolder: patchFolder,
                      trainPatients: Array(Set(refined.index.entries.map(\.patient))).sorted(by: Dataset.patientOrder))
    }

    /// The test-phase source of the round-2 net: the round-1 test database of the fold when it is there and
    /// of the same backend, else (with a warning) the round-2 training database.
    func roundTwoTestSource(_ path: String, detected: StoreBackend?, backend: StoreBackend, ownTrain: String) -> String {
        guard let detected else {
            logger.warning("\(path): no round-1 test database; the round-2 net tests on its own training database (give --test-db)")
            return ownTrain
        }
        guard detected == backend else {
            logger.warning("\(path) is \(detected) but --backend is \(backend); the round-2 net tests on its own training database")
            return ownTrain
        }
        return FilePaths.absolute(path)   // the user's round-1 folder: outside OUT, so absolute (FilePaths' rule)
    }

    /// Writes `OUT/refine.json`, or checks that an existing one holds the same settings.
    func checkSettings(_ settings: Settings) throws {
        try FolderSettings.claim(settings, at: output + "/refine.json", what: "fold, --pixels-per-image, angles, --seed, --backend or patients")
    }
}
