import ArgumentParser
import Foundation
import MitosisImage
import Logging
import MitosisData
import MitosisPipeline
import MitosisStore
import MitosisSupport

/// `mitosis refine`: step 6 for one fold, for users who run the steps one by one
/// (patches -> folds -> db -> train -> probmap -> refine -> train).
///
/// Does what `mitosis run` does inside each fold: round-1 maps of the fold's training images, second-round
/// patches drawn from them (hard negatives weighted by P(mitosis)), the fold's second-round training database
/// and mean image, and a net/solver for round 2.
struct RefineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refine",
        abstract: "Step 6 for one fold: hard-negative patches from round-1 maps, and the round-2 training database.",
        discussion: """
            Only the fold's training patients (folds.json in the patch folder, from `mitosis folds`) are used; its \
            test patients are never read. Per training image: every positive pixel at each --positive-angles, \
            and max(0, --pixels-per-image - positives) negative pixels drawn with replacement, weighted by the \
            round-1 P(mitosis), from the candidate mask outside the dilated ground truth, at each \
            --negative-angles (so positives + negatives = --pixels-per-image unless the positives alone exceed \
            it). Patch geometry (size, scale, dilation, interpolation) comes from the step-1 index.

            Outputs in OUT: maps/ (<name>_prob.png, _class.png, _logodds.tif of the training images; not with \
            --maps), patches/ (archives and index.json), DB_train_K and DB_train_w32_K.binaryproto (as \
            `mitosis db` names them), and net.prototxt, solver.prototxt, deploy.prototxt for round 2. The \
            database shuffle uses seed + 2, as `mitosis run` does for step 6. Re-running resumes: finished \
            maps, archives and databases are skipped.
            """)

    @Argument(help: "Dataset folder (PP_II.tif images with PP_II.csv centres), as given to `mitosis patches`.")
    var dataset: String

    @Option(help: "Step-1/2 patch folder (index.json from `mitosis patches`, folds.json from `mitosis folds`).")
    var patches: String

    @Option(help: "Folder holding folds.json and the round-1 databases (default: the patch folder).")
    var lists: String?

    @Option(help: "The fold to refine (1...k).")
    var fold: Int

    @Option(help: "Deploy prototxt of the round-1 model.")
    var net: String?

    @Option(help: "Round-1 .caffemodel of this fold.")
    var weights: String?

    @Option(help: "Mean .binaryproto of the round-1 model (e.g. DB_train_w32_K.binaryproto).")
    var mean: String?

    @Option(help: "Use the round-1 maps (<name>_prob.png) of the training images in this folder instead of computing them.")
    var maps: String?

    @Flag(help: "Classify every patch for the maps instead of the dense 'a trous' pass (slow).")
    var exact = false

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Option(help: "Positive plus negative pixels per image (the author's 3636, for a 2000x2000 image; scaled to each image's area unless --fixed-per-image).")
    var pixelsPerImage = 3636

    @Flag(help: "The author's --pixels-per-image for every image whatever its size (default: scaled to its area, and never fewer negatives than positives, as `mitosis run`).")
    var fixedPerImage = false

    @Option(help: "Positive angles in degrees, comma-separated (default every 15, the author's 0:15:345).")
    var positiveAngles = stride(from: 0, to: 360, by: 15).map(String.init).joined(separator: ",")

    @Option(help: "Negative angles in degrees, comma-separated.")
    var negativeAngles = "0,90,180,270"

    @Option(help: "Database backend: lmdb or leveldb (default: that of the round-1 databases, else lmdb).")
    var backend: StoreBackend?

    @Option(help: "Round-1 test database for the round-2 net's test phase (default: DB_test_K beside folds.json).")
    var testDB: String?

    @Option(help: "Training iterations written into the round-2 solver.")
    var iterations = 3000

    @Option(help: "Solver of the round-2 solver file: adam (default, as `mitosis run`) or adagrad (the tutorial's).")
    var solver = "adam"

    @Option(help: "Base learning rate of the round-2 solver (default 0.001 for Adam, 0.005 for AdaGrad, as `mitosis run`).")
    var baseLR: Double?

    @Flag(help: "Leave stain augmentation out of the printed round-2 train command (`mitosis run` trains with it).")
    var noStainJitter = false

    @Option(help: "Column order of the centre CSVs: xy or yx.")
    var csvOrder: CSVOrder = .xy

    @Option(help: "Seed of the negative sampling (and, plus 2, of the database shuffle).")
    var seed: UInt64 = 1

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard fold >= 1 else { throw ValidationError("--fold must be 1 or more, got \(fold)") }
        guard pixelsPerImage >= 1 else { throw ValidationError("--pixels-per-image must be positive, got \(pixelsPerImage)") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be positive, got \(iterations)") }
        guard ["adam", "adagrad"].contains(solver.lowercased()) else { throw ValidationError("--solver must be adam or adagrad, got '\(solver)'") }
        if maps == nil, net == nil || weights == nil || mean == nil {
            throw ValidationError("give the round-1 model (--net, --weights and --mean), or its maps of the training images (--maps DIR)")
        }
        _ = try Self.angles(positiveAngles, "--positive-angles")
        _ = try Self.angles(negativeAngles, "--negative-angles")
    }

    /// What an output folder was made with: resuming with other settings would mix patches.
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

    func run() throws {
        let log = global.logger("refine")
        let listFolder = lists ?? patches
        let std = { (p: String) in FilePaths.absolute(p) }
        guard std(output) != std(patches), std(output) != std(listFolder) else {
            throw PipelineError.invalidOption("-o \(output): use a new output folder, not the round-1 patch folder (its DB_train_\(fold) would be taken for the round-2 one)")
        }

        // Steps 1-2 outputs: the patch geometry and the fold's patients.
        let index = try PatchIndex.read(from: patches)
        let folds = try FoldStep.Summary.read(from: listFolder)
        guard var foldSummary = folds.folds.first(where: { $0.fold == fold }) else {
            let known = folds.folds.map(\.fold)
            throw PipelineError.invalidOption("--fold \(fold): \(listFolder)/folds.json has folds \(known.min() ?? 0)-\(known.max() ?? 0)")
        }
        for file in [net, weights, mean].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: file) {
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
        let round1 = DatabaseStep.paths(fold: fold, patchSize: index.options.patchSize, in: listFolder)
        let round1Test = testDB ?? round1.test
        let detected = StoreBackend.detect(at: URL(fileURLWithPath: round1Test))
        let store = backend ?? detected ?? .lmdb

        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try checkSettings(Settings(fold: fold, pixelsPerImage: pixelsPerImage, fixedPerImage: fixedPerImage, positiveAngles: try Self.angles(positiveAngles, "--positive-angles"),
                                   negativeAngles: try Self.angles(negativeAngles, "--negative-angles"), seed: seed,
                                   backend: store.name, trainPatients: trainPatients.sorted(by: Dataset.patientOrder)))

        // Round-1 maps of the training images.
        let options = { () -> PatchOptions in var o = index.options; o.seed = seed; return o }()
        let mapFolder = maps ?? output + "/maps"
        let mapSummary: String
        if maps != nil {
            mapSummary = "maps: \(items.count) reused from \(mapFolder)"
        } else {
            mapSummary = try computeMaps(items, scale: options.scale, stainNormalization: options.stainNormalization, into: mapFolder, log: log)
        }
        print(mapSummary)

        // Second-round patches and the fold's second-round training database and mean (RefineStep, as `run`).
        var step = RefineStep(patches: options)
        step.pixelsPerImage = pixelsPerImage
        step.fixedPerImage = fixedPerImage
        step.positiveAngles = try Self.angles(positiveAngles, "--positive-angles")
        step.negativeAngles = try Self.angles(negativeAngles, "--negative-angles")
        step.backend = store
        step.databaseSeed = seed &+ 2
        step.csvOrder = csvOrder
        step.logger = log
        let patchFolder = output + "/patches"
        let bar = ProgressBar("patches", total: items.count)
        let refined = try step.run(fold: fold, images: items, root: data.root, maps: mapFolder, patchFolder: patchFolder,
                                   databaseFolder: output, progress: { bar.advance() })
        bar.finish()
        foldSummary.trainPatients = Array(Set(refined.index.entries.map(\.patient))).sorted(by: Dataset.patientOrder)

        // Net and solver for round 2, with `run`'s schedule (relative paths resolve against OUT).
        let testSource = try roundTwoTestSource(round1Test, detected: detected, backend: store, ownTrain: refined.database, log: log)
        var schedule = TrainingSchedule()
        schedule.iterations = iterations
        schedule.solverType = solver.lowercased() == "adagrad" ? "AdaGrad" : "Adam"
        schedule.baseLR = baseLR ?? (schedule.solverType == "Adam" ? 0.001 : 0.005)
        schedule.testInterval = max(1, iterations / 4)
        schedule.snapshot = max(1, iterations / 2)
        try schedule.writeFoldFiles(into: output, trainDB: refined.database, testDB: testSource, mean: refined.mean,
                                    backend: store, snapshotPrefix: "round2_\(fold)", seed: seed &+ UInt64(200 + fold), tree: output)
        let paths = (train: refined.database, mean: refined.mean)
        let positives = refined.positives, negatives = refined.negatives, dbExisted = refined.databaseExisted

        let names = foldSummary.trainPatients.joined(separator: " ")
        print("fold \(fold): \(refined.index.entries.count) training images (patients \(names)) -> \(positives) positive and \(negatives) negative patches in \(patchFolder)")
        print("database \(paths.train) (\(store), \(positives + negatives) records\(dbExisted ? "; already present, skipped" : "")), mean \(paths.mean)")
        let fineTune = (weights.map { " --weights \(FilePaths.shellQuoted($0))" } ?? "") + (noStainJitter ? "" : " --stain-jitter")
        print("next: mitosis train --solver \(FilePaths.shellQuoted(output + "/solver.prototxt"))\(fineTune)")
        print("then: mitosis probmap --net \(FilePaths.shellQuoted(output + "/deploy.prototxt")) --weights \(FilePaths.shellQuoted("\(output)/round2_\(fold)_iter_\(iterations).caffemodel")) "
              + "--mean \(FilePaths.shellQuoted(paths.mean)) TEST_IMAGES... -o MAPS")
    }

    /// Step 5 for the training images into `folder`, skipping finished maps. Returns a one-line summary.
    func computeMaps(_ items: [DatasetImage], scale: Double, stainNormalization: StainNormalizer?, into folder: String,
                     log: Logger) throws -> String {
        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: folder), scale: scale)
        job.stainNormalization = stainNormalization
        var bar: ProgressBar?
        let result = try job.mapAll(items.map { URL(fileURLWithPath: $0.imagePath) }, stopAtFirstFailure: true, mapper: {
            guard let net, let weights, let mean else { throw ValidationError("give --net, --weights and --mean to compute the maps") }
            let model = try ClassifierModel.load(net: URL(fileURLWithPath: net), weights: URL(fileURLWithPath: weights),
                                                 mean: URL(fileURLWithPath: mean))
            return try ProbabilityMapper(models: [model], options: ProbabilityMapOptions(mode: exact ? .exact : .dense))
        }, progress: { done, total in
            if bar == nil { bar = ProgressBar("maps", total: total) }
            bar?.update(done: done)
        }, onMapped: { url, seconds in log.info("\(url.lastPathComponent): map in \(String(format: "%.2f", seconds)) s") })
        bar?.finish()
        if result.skipped > 0 { log.info("\(result.skipped) of \(items.count) maps already in \(folder): skipped") }
        return "maps: \(result.computed) computed, \(result.skipped) already present (skipped) in \(folder)"
    }

    /// The test-phase source of the round-2 net: the round-1 test database of the fold when it is there and
    /// of the same backend, else (with a warning) the round-2 training database.
    func roundTwoTestSource(_ path: String, detected: StoreBackend?, backend: StoreBackend, ownTrain: String, log: Logger) throws -> String {
        let own = ownTrain
        guard let detected else {
            log.warning("\(path): no round-1 test database; the round-2 net tests on its own training database (give --test-db)")
            return own
        }
        guard detected == backend else {
            log.warning("\(path) is \(detected) but --backend is \(backend); the round-2 net tests on its own training database")
            return own
        }
        return FilePaths.absolute(path)   // the user's round-1 folder: outside OUT, so absolute (FilePaths' rule)
    }

    /// Writes `OUT/refine.json`, or checks that an existing one holds the same settings.
    func checkSettings(_ settings: Settings) throws {
        let path = output + "/refine.json"
        if let data = FileManager.default.contents(atPath: path) {
            let previous = try? JSONDecoder().decode(Settings.self, from: data)
            guard previous == settings else {
                throw PipelineError.invalidOption("\(path): this folder was made with other settings (fold, --pixels-per-image, angles, --seed, --backend or patients). HINT: use a new output folder, or delete it to start over.")
            }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(settings), to: path)
    }

    static func angles(_ text: String, _ flag: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !values.isEmpty, values.count == parts.count else {
            throw ValidationError("\(flag): expected comma-separated whole degrees, got '\(text)'")
        }
        return values
    }
}
