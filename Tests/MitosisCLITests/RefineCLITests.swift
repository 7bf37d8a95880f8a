import Foundation
import MitosisCaffe
import MitosisPipeline
import MitosisStore
import MitosisTraining
import Testing

/// `mitosis refine` (step 6 for one fold) on a tiny synthetic cohort taken through steps 1-4 with the CLI.
@Suite(.serialized) struct RefineCLITests {
    /// A patch folder with folds (and, with `model`, round-1 databases and a briefly trained fold model).
    struct Fixture {
        var root: String
        var cohort: String { root + "/cohort" }
        var patches: String { root + "/p" }
        var fold = 0
        var trainPatients: [String] = []
        var testPatients: [String] = []
        var net: String { root + "/model/deploy.prototxt" }
        var weights: String { root + "/model/model_iter_3.caffemodel" }
        var mean: String { "\(patches)/DB_train_w32_\(fold).binaryproto" }
    }

    /// 4 patients x 1 image of 288 px (patient 04 without mitoses, so step 1 leaves it out), step 1 with few
    /// angles, 2 folds. The fold refined is the one with more training patients.
    static func prepare(_ name: String, folds: Bool = true, model: Bool = true) throws -> Fixture {
        var f = Fixture(root: try CLI.temporaryFolder(name))
        let synth = try CLI.run(["synth", f.cohort, "--patients", "4", "--images-per-patient", "1", "--size", "288", "--seed", "4", "--mitosis-free", "4", "-q"])
        try #require(synth.status == 0, "\(synth.stderr)")
        let patches = try CLI.run(["patches", f.cohort, f.patches, "--seed", "4", "--positive-angles", "0", "--negative-angles", "0",
                                   "--negative-ratio", "1", "-q"])
        try #require(patches.status == 0, "\(patches.stderr)")
        guard folds else { return f }
        let step2 = try CLI.run(["folds", f.patches, "--folds", "2", "-q"])
        try #require(step2.status == 0, "\(step2.stderr)")
        let summary = try FoldStep.Summary.read(from: f.patches)
        let chosen = try #require(summary.folds.max { $0.trainPatients.count < $1.trainPatients.count })
        f.fold = chosen.fold
        f.trainPatients = chosen.trainPatients
        f.testPatients = chosen.testPatients
        guard model else { return f }
        let db = try CLI.run(["db", f.patches, "-q"])
        try #require(db.status == 0, "\(db.stderr)")
        // Step 4, briefly: 3 iterations of the tutorial's net on the fold's round-1 database.
        let dir = f.root + "/model"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let paths = DatabaseStep.paths(fold: f.fold, patchSize: 32, in: f.patches)
        try NetTemplates.trainNet(trainDB: paths.train, testDB: paths.test, meanFile: paths.mean, backend: "lmdb",
                                  batchSize: 32, testBatchSize: 32).write(toFile: dir + "/net.prototxt", atomically: true, encoding: .utf8)
        try NetTemplates.deployNet().write(toFile: f.net, atomically: true, encoding: .utf8)
        try NetTemplates.solver(net: "net.prototxt", snapshotPrefix: "model", maxIter: 3, baseLR: 0.005, testIter: 1,
                                testInterval: 1000, snapshot: 1000).write(toFile: dir + "/solver.prototxt", atomically: true, encoding: .utf8)
        let train = try CLI.run(["train", "--solver", dir + "/solver.prototxt", "-q"])
        try #require(train.status == 0, "\(train.stdout)\(train.stderr)")
        try #require(CLI.exists(f.weights))
        return f
    }

    /// Every file and folder name under `folder`, recursively.
    static func names(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).map { URL(fileURLWithPath: $0).lastPathComponent }
    }

    static func digest(_ db: String) throws -> StoreDigest {
        let store = try openStore(at: URL(fileURLWithPath: db), backend: .lmdb, access: .readOnly)
        defer { store.close() }
        return try StoreDigest.of(store)
    }

    @Test func refinesOneFoldFromItsTrainingImagesOnly() throws {
        let f = try Self.prepare("refine")
        defer { try? FileManager.default.removeItem(atPath: f.root) }
        let out = f.root + "/out", k = f.fold
        let args = ["refine", f.cohort, "--patches", f.patches, "--fold", String(k), "--net", f.net, "--weights", f.weights,
                    "--mean", f.mean, "-o", out, "--pixels-per-image", "400", "--fixed-per-image", "--positive-angles", "0,180",
                    "--negative-angles", "0,90", "--seed", "5"]
        let first = try CLI.run(args)
        try #require(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let trainImages = f.trainPatients.map { $0 + "_01" }
        #expect(first.stdout.contains("maps: \(trainImages.count) computed, 0 already present"), "\(first.stdout)")
        #expect(first.stdout.contains("next: mitosis train --solver \(out)/solver.prototxt --weights \(f.weights)"), "\(first.stdout)")

        // The documented outputs.
        for name in trainImages {
            for suffix in ["_prob.png", "_class.png", "_logodds.tif"] { #expect(CLI.exists("\(out)/maps/\(name)\(suffix)"), "\(name)\(suffix)") }
            #expect(CLI.exists("\(out)/patches/\(name).patches"))
        }
        for file in ["patches/index.json", "DB_train_\(k)/data.mdb", "DB_train_w32_\(k).binaryproto", "net.prototxt", "solver.prototxt",
                     "deploy.prototxt", "refine.json"] {
            #expect(CLI.exists("\(out)/\(file)"), "missing \(file)")
        }
        #expect(!CLI.exists("\(out)/DB_test_\(k)"), "the empty test side is not left behind")
        let net = try String(contentsOfFile: out + "/net.prototxt", encoding: .utf8)
        #expect(net.contains("source: \"DB_train_\(k)\"") && net.contains("DB_test_\(k)") && net.contains("DB_train_w32_\(k).binaryproto"))

        // Only the fold's training images were mapped and sampled: test patients appear nowhere in OUT.
        let files = Self.names(under: out)
        for p in f.testPatients + ["04"] {
            #expect(!files.contains { $0.hasPrefix(p + "_") }, "patient \(p) in \(out): \(files)")
        }
        let index = try PatchIndex.read(from: out + "/patches")
        #expect(index.entries.map(\.name).sorted() == trainImages.sorted())
        #expect(index.options.positiveAngles == [0, 180] && index.options.negativeAngles == [0, 90] && index.options.seed == 5)

        // Per image: positives + negatives = --pixels-per-image (negatives 0 if the positives alone exceed it).
        var records = 0
        for entry in index.entries {
            #expect(entry.positives > 0)
            #expect(entry.negatives == max(0, 400 - entry.positives), "\(entry.name): \(entry.positives) + \(entry.negatives)")
            let archive = try PatchArchive.read(out + "/patches/" + entry.archive).patches
            #expect(archive.filter { $0.label == 1 }.count == 2 * entry.positives)
            #expect(archive.filter { $0.label == 0 }.count == 2 * entry.negatives)
            records += archive.count
        }

        // The database holds every patch, named after training images only; the mean is 1x3x32x32.
        let db = "\(out)/DB_train_\(k)"
        let store = try openStore(at: URL(fileURLWithPath: db), backend: .lmdb, access: .readOnly)
        #expect(try store.count() == records)
        var keys: [String] = []
        try store.forEachRecord { keys.append(String(decoding: $0.key, as: UTF8.self)) }
        store.close()
        #expect(keys.allSatisfy { key in trainImages.contains { key.contains("_\($0)_") } }, "\(keys.prefix(3))")
        #expect(first.stdout.contains("\(records) records"), "\(first.stdout)")
        let meanPath = "\(out)/DB_train_w32_\(k).binaryproto"
        #expect(try MeanImage.read(contentsOf: URL(fileURLWithPath: meanPath)).shape == [1, 3, 32, 32])

        // Re-running skips the maps and everything else.
        let again = try CLI.run(args)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("maps: 0 computed, \(trainImages.count) already present (skipped)"), "\(again.stdout)")

        // With the patches and database gone, the same seed rebuilds byte-identical records and mean.
        let digest = try Self.digest(db), meanBytes = try Data(contentsOf: URL(fileURLWithPath: meanPath))
        for item in ["patches", "DB_train_\(k)", "DB_train_w32_\(k).binaryproto"] { try FileManager.default.removeItem(atPath: "\(out)/\(item)") }
        let rebuilt = try CLI.run(args)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("(skipped)"))
        #expect(try Self.digest(db) == digest)
        #expect(try Data(contentsOf: URL(fileURLWithPath: meanPath)) == meanBytes)

        // Reusing the maps (--maps, no model needed) with fewer pixels per image than positives: no negatives.
        let small = try CLI.run(["refine", f.cohort, "--patches", f.patches, "--fold", String(k), "--maps", out + "/maps",
                                 "-o", f.root + "/out2", "--pixels-per-image", "10", "--fixed-per-image", "--positive-angles", "0", "--negative-angles", "0"])
        try #require(small.status == 0, "\(small.stdout)\n\(small.stderr)")
        #expect(small.stdout.contains("maps: \(trainImages.count) reused"))
        #expect(!CLI.exists(f.root + "/out2/maps"))
        let smallIndex = try PatchIndex.read(from: f.root + "/out2/patches")
        #expect(smallIndex.entries.count == trainImages.count)
        for entry in smallIndex.entries { #expect(entry.positives > 10 && entry.negatives == 0, "\(entry.name)") }
        // A different setting in an existing output folder is refused.
        let clash = try CLI.run(Array(args.dropLast(2)) + ["--seed", "6"])
        #expect(clash.status != 0)
        #expect(clash.stderr.contains("refine.json"), "\(clash.stderr)")
    }

    /// By default `refine` is `run`'s step 6 (RefineStep): the per-image count scaled to the image's area
    /// and never fewer negative patches than positive ones, and `run`'s solver (Adam), where it used to take
    /// the author's fixed 3636 per image and write an AdaGrad solver.
    @Test func byDefaultRefineSamplesAsRunDoes() throws {
        let f = try Self.prepare("refine-default")
        defer { try? FileManager.default.removeItem(atPath: f.root) }
        let out = f.root + "/out"
        let r = try CLI.run(["refine", f.cohort, "--patches", f.patches, "--fold", String(f.fold), "--net", f.net, "--weights", f.weights,
                             "--mean", f.mean, "-o", out, "--positive-angles", "0", "--negative-angles", "0", "--seed", "5", "-q"])
        try #require(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("--stain-jitter"), "\(r.stdout)")
        let index = try PatchIndex.read(from: out + "/patches")
        // 288x288 at 40x is 144x144 at 20x: 3636 x 144^2 / 1000^2 = 75 pixels, and at least as many negatives as positives.
        var step = RefineStep(patches: index.options)
        step.positiveAngles = [0]
        step.negativeAngles = [0]
        for entry in index.entries {
            let expected = step.sampler.negativeCount(width: 144, height: 144, positives: entry.positives)
            #expect(entry.negatives == expected, "\(entry.name): \(entry.positives) + \(entry.negatives)")
            #expect(entry.negatives >= entry.positives && entry.negatives < 3636 - entry.positives, "\(entry.name)")
        }
        let solver = try String(contentsOfFile: out + "/solver.prototxt", encoding: .utf8)
        #expect(solver.contains("type: \"Adam\"") && solver.contains("base_lr: 0.001"), "\(solver)")
    }

    @Test func badInputNamesTheFileOrOption() throws {
        let f = try Self.prepare("refine-bad", folds: false)
        defer { try? FileManager.default.removeItem(atPath: f.root) }
        try NetTemplates.deployNet().write(toFile: f.root + "/deploy.prototxt", atomically: true, encoding: .utf8)
        func refine(_ extra: [String]) throws -> CLI.Result {
            try CLI.run(["refine", f.cohort, "--patches", f.patches, "-o", f.root + "/out", "--net", f.root + "/deploy.prototxt",
                         "--weights", f.root + "/round1.caffemodel", "--mean", f.root + "/mean.binaryproto"] + extra)
        }
        // A patch folder without folds.json.
        let noFolds = try refine(["--fold", "1"])
        #expect(noFolds.status != 0)
        #expect(noFolds.stderr.contains("\(f.patches)/folds.json"), "\(noFolds.stderr)")

        let step2 = try CLI.run(["folds", f.patches, "--folds", "2", "-q"])
        try #require(step2.status == 0)
        // An unknown fold.
        let unknown = try refine(["--fold", "7"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("--fold 7") && unknown.stderr.contains("folds.json") && unknown.stderr.contains("1-2"), "\(unknown.stderr)")
        // A missing weights file.
        let noWeights = try refine(["--fold", "1"])
        #expect(noWeights.status != 0)
        #expect(noWeights.stderr.contains("round1.caffemodel"), "\(noWeights.stderr)")
        #expect(!CLI.exists(f.root + "/out/maps"))
        // Neither a model nor maps.
        let noModel = try CLI.run(["refine", f.cohort, "--patches", f.patches, "--fold", "1", "-o", f.root + "/out"])
        #expect(noModel.status != 0)
        #expect(noModel.stderr.contains("--maps") && noModel.stderr.contains("--weights"), "\(noModel.stderr)")
        // --maps without a map of every training image.
        try FileManager.default.createDirectory(atPath: f.root + "/maps", withIntermediateDirectories: true)
        let noMap = try CLI.run(["refine", f.cohort, "--patches", f.patches, "--fold", "1", "--maps", f.root + "/maps", "-o", f.root + "/out"])
        #expect(noMap.status != 0)
        #expect(noMap.stderr.contains(f.root + "/maps/") && noMap.stderr.contains("_prob.png"), "\(noMap.stderr)")
        // The round-1 patch folder as the output.
        let sameFolder = try CLI.run(["refine", f.cohort, "--patches", f.patches, "--fold", "1", "--maps", f.root + "/maps", "-o", f.patches])
        #expect(sameFolder.status != 0)
        #expect(sameFolder.stderr.contains("-o \(f.patches)"), "\(sameFolder.stderr)")
    }
}
