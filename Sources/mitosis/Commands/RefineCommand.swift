import ArgumentParser
import Foundation
import MitosisImage
import Logging
import MitosisData
import MitosisPipeline
import MitosisStore
import MitosisSupport
import MitosisTraining

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

    @Option(help: "Maps: evaluate the net every N working pixels in each direction and interpolate in between (1, 2, 4 or 8; default: run's, \(RunOptions().maps.stride)).")
    var mapStride: Int?

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
    var iterations = TrainingSchedule().iterations

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

    func run() throws {
        let log = global.logger("refine")
        var job = FoldRefinement(dataset: dataset, patches: patches, fold: fold, output: output)
        job.lists = lists
        if let net, let weights, let mean { job.model = (net, weights, mean) }
        job.maps = maps
        if exact { job.mapOptions.mode = .exact; job.mapOptions.stride = 1 }
        if let mapStride { job.mapOptions.stride = mapStride }
        job.pixelsPerImage = pixelsPerImage
        job.fixedPerImage = fixedPerImage
        job.positiveAngles = try Self.angles(positiveAngles, "--positive-angles")
        job.negativeAngles = try Self.angles(negativeAngles, "--negative-angles")
        job.backend = backend
        job.testDB = testDB
        job.csvOrder = csvOrder
        job.seed = seed
        job.schedule.iterations = iterations
        job.schedule.solverType = solver.lowercased() == "adagrad" ? "AdaGrad" : "Adam"
        job.schedule.baseLR = baseLR ?? (job.schedule.solverType == "Adam" ? 0.001 : 0.005)
        job.schedule.testInterval = max(1, iterations / 4)
        job.schedule.snapshot = max(1, iterations / 2)
        job.logger = log
        let mapBar = LazyProgressBar("maps"), patchBar = LazyProgressBar("patches")
        let r = try job.run(mapProgress: mapBar.update, patchProgress: patchBar.update)
        mapBar.finish()
        patchBar.finish()
        print(maps != nil ? "maps: \(r.refined.index.entries.count) reused from \(r.mapFolder)"
                          : "maps: \(r.mapsComputed) computed, \(r.mapsSkipped) already present (skipped) in \(r.mapFolder)")
        let o = r.refined
        print("fold \(fold): \(o.index.entries.count) training images (patients \(r.trainPatients.joined(separator: " "))) -> \(o.positives) positive and \(o.negatives) negative patches in \(r.patchFolder)")
        print("database \(o.database) (\(r.backend), \(o.positives + o.negatives) records\(o.databaseExisted ? "; already present, skipped" : "")), mean \(o.mean)")
        let fineTune = (weights.map { " --weights \(FilePaths.shellQuoted($0))" } ?? "") + (noStainJitter ? "" : " --stain-jitter")
        print("next: mitosis train --solver \(FilePaths.shellQuoted(output + "/solver.prototxt"))\(fineTune)")
        print("then: mitosis probmap --net \(FilePaths.shellQuoted(output + "/deploy.prototxt")) --weights \(FilePaths.shellQuoted("\(output)/round2_\(fold)_iter_\(iterations).caffemodel")) "
              + "--mean \(FilePaths.shellQuoted(o.mean)) TEST_IMAGES... -o MAPS")
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
