import Foundation
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisStore
@testable import MitosisTraining
import Testing
@testable import MitosisPipeline

// Training straight from the patch archives (`mitosis run` without `--databases`): sample-only archives give
// the pixels step 1 and step 6 cut, `ShuffledPatches` is step 3's database record for record, and a training
// from it ends with the same weights, bit for bit, as a training from the database.

/// Three textured images of three patients on disk, each with two mitosis centres and a candidate mask
/// covering everything, in the tutorial's layout.
private struct TinyDataset {
    let root: String
    var options: PatchOptions

    init() throws {
        root = databaseTestFolder("archive-dataset")
        var rng = SplitMix64(seed: 21)
        for (n, name) in ["01_01", "02_01", "03_01"].enumerated() {
            let w = 124 + 2 * n, h = 100
            var pixels = [UInt8](repeating: 0, count: w * h * 3)
            for y in 0..<h {
                for x in 0..<w {
                    let noise = Int(rng.next() % 40)
                    pixels[(y * w + x) * 3] = UInt8(120 + (x * 3 + y) % 60 + noise / 2)
                    pixels[(y * w + x) * 3 + 1] = UInt8(60 + (x + 2 * y) % 50 + noise)
                    pixels[(y * w + x) * 3 + 2] = UInt8(150 + (x * y) % 70 + noise / 4)
                }
            }
            try ImageIO.write(Image(width: w, height: h, channels: 3, pixels: pixels), to: "\(root)/\(name).png")
            try "x,y\n\(30 + 10 * n),40\n90,\(60 + 5 * n)\n".write(toFile: "\(root)/\(name).csv", atomically: true, encoding: .utf8)
            try ImageIO.write(Image(width: w, height: h, channels: 1, fill: 255), to: "\(root)/\(name)_cmask.png")
        }
        options = PatchOptions()
        options.positiveAngles = [0, 45, 90]
        options.negativeRatio = 1.5
        options.seed = 4
    }

    var dataset: Dataset { get throws { try Dataset.discover(at: root) } }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Step 1 into `folder`, with or without the patches' pixels.
    func patches(into folder: String, pixels: Bool) throws -> PatchIndex {
        var step = PatchStep(options: options)
        step.storePixels = pixels
        step.logger.logLevel = .warning
        return try step.run(dataset, into: root + "/" + folder)
    }

    /// Step 6 into `folder` from seeded random maps in `maps`, with or without pixels.
    func refined(into folder: String, pixels: Bool) throws -> PatchIndex {
        let maps = root + "/maps"
        var rng = SplitMix64(seed: 8)
        for item in try dataset.images {
            let working = try PatchExtractor(options: options).workingImage(for: item)
            let plane = FloatPlane(width: working.width, height: working.height,
                                   values: (0..<(working.width * working.height)).map { _ in Float(rng.next() % 1000) / 1000 })
            try ProbabilityImages.write(plane, base: maps + "/" + item.name)
        }
        var sampler = RefinementSampler(options: options)
        sampler.pixelsPerImage = 60
        sampler.balanceNegatives = true
        sampler.positiveAngles = [0, 30]
        var step = PatchStep(options: options)
        step.refinement = (sampler, maps)
        step.storePixels = pixels
        step.logger.logLevel = .warning
        return try step.run(dataset, into: root + "/" + folder)
    }
}

@Suite struct ArchiveTrainingTests {
    /// Both archive kinds give every record's label, name and pixels alike, for step 1 and for step 6.
    @Test(arguments: ["step 1", "step 6"])
    func sampleOnlyArchivesGiveThePixelsThatWereCut(_ step: String) throws {
        let data = try TinyDataset()
        defer { data.remove() }
        let make = step == "step 1" ? data.patches : data.refined
        let stored = try make("stored", true), samples = try make("samples", false)
        #expect(stored.entries == samples.entries)
        #expect(stored.dataset == nil && samples.dataset == data.root)
        let a = try ImagePatches.load(stored, folder: data.root + "/stored")
        let b = try ImagePatches.load(samples, folder: data.root + "/samples")
        #expect(a.count == 3 && b.count == 3)
        for (x, y) in zip(a, b) {
            #expect(!x.cutsOnDemand && y.cutsOnDemand)
            #expect(x.count == y.count && x.count > 0)
            #expect(x.patches.contains { $0.label == 0 } && x.patches.contains { $0.label == 1 })
            for i in 0..<x.count {
                #expect(x.fileName(i) == y.fileName(i))
                #expect(x.pixels(i) == y.pixels(i), "\(x.fileName(i))")
                #expect(x.serializedRecord(i) == y.serializedRecord(i))
            }
            #expect(x.sums() == y.sums())
            let big = try FileManager.default.attributesOfItem(atPath: data.root + "/stored/" + x.entry.archive)[.size] as! Int
            let small = try FileManager.default.attributesOfItem(atPath: data.root + "/samples/" + y.entry.archive)[.size] as! Int
            #expect(small * 100 < big, "\(small) vs \(big) bytes")
        }
    }

    /// A sample-only archive whose image is gone, or that does not fit its image, is refused by name.
    @Test func sampleOnlyArchivesNeedTheirImages() throws {
        let data = try TinyDataset()
        defer { data.remove() }
        var index = try data.patches(into: "samples", pixels: false)
        let entry = index.entries[0]
        #expect { try ImagePatches(entry: entry, folder: data.root + "/samples", options: index.options, image: nil) } throws: {
            "\($0)".contains(entry.archive) && "\($0)".contains("holds no pixels")
        }
        index.options.scale = 0.25
        let other = try data.dataset.images.first { $0.name == entry.name }
        #expect { try ImagePatches(entry: entry, folder: data.root + "/samples", options: index.options, image: other) } throws: {
            "\($0)".contains(entry.archive) && "\($0)".contains("outside")
        }
    }

    /// `DatabaseStep.records` is each database, key for key and byte for byte, for both backends; sample-only
    /// archives give the same databases as archives with pixels (`mitosis db` on `run`'s step-6 folders).
    @Test(arguments: StoreBackend.allCases)
    func recordsInDatabaseOrderAreTheDatabases(backend: StoreBackend) throws {
        let data = try TinyDataset()
        defer { data.remove() }
        let stored = try data.patches(into: "stored", pixels: true), samples = try data.patches(into: "samples", pixels: false)
        let folds = try FoldStep(folds: 3, seed: 2).run(stored, into: data.root + "/stored")
        let step = DatabaseStep(backend: backend, seed: 9)
        try step.run(stored, patchFolder: data.root + "/stored", folds: folds, into: data.root + "/db")
        let images = try ImagePatches.load(samples, folder: data.root + "/samples")
        for f in folds.folds {
            for train in [true, false] {
                let patients = Set(train ? f.trainPatients : f.testPatients)
                let records = step.records(fold: f.fold, train: train, images: images.filter { patients.contains($0.entry.patient) })
                let paths = DatabaseStep.paths(fold: f.fold, patchSize: 32, in: data.root + "/db")
                let db = try readDatabaseRecords(train ? paths.train : paths.test, backend: backend)
                #expect(db.count == records.count && !db.isEmpty)
                #expect(db.map(\.keyString) == (0..<records.count).map(records.key))
                #expect(db.map(\.value) == (0..<records.count).map(records.value))
                if train {
                    let mean = try MeanImage.read(contentsOf: URL(fileURLWithPath: paths.mean))
                    #expect(mean.data == records.mean().data)
                }
            }
        }
        // One side built from the sample-only archives equals the one built from the stored pixels.
        let f = folds.folds[0]
        try step.build(fold: f.fold, train: true, patients: Set(f.trainPatients), index: samples,
                       patchFolder: data.root + "/samples", into: data.root + "/db-samples")
        let a = try readDatabaseRecords(DatabaseStep.paths(fold: f.fold, patchSize: 32, in: data.root + "/db").train, backend: backend)
        let b = try readDatabaseRecords(DatabaseStep.paths(fold: f.fold, patchSize: 32, in: data.root + "/db-samples").train, backend: backend)
        #expect(a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value))
    }

    /// A fold trained from `ShuffledPatches` ends with the weights a training from its databases gives, bit
    /// for bit (same batches, same mirror and crop draws, same stain jitter), and its test phase agrees too.
    @Test func trainingFromTheArchivesGivesTheDatabaseWeights() throws {
        let data = try TinyDataset()
        defer { data.remove() }
        let index = try data.refined(into: "refined", pixels: false)
        let folds = try FoldStep(folds: 3, seed: 2).run(index, into: data.root + "/refined")
        let f = folds.folds[1]
        let step = DatabaseStep(backend: .lmdb, seed: 5)
        try step.run(index, patchFolder: data.root + "/refined", folds: folds, into: data.root + "/db")
        let paths = DatabaseStep.paths(fold: f.fold, patchSize: 32, in: data.root + "/db")
        let run = data.root + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try NetTemplates.trainNet(trainDB: paths.train, testDB: paths.test, meanFile: paths.mean, backend: "lmdb",
                                  batchSize: 8, testBatchSize: 4)
            .write(toFile: run + "/net.prototxt", atomically: true, encoding: .utf8)
        try NetTemplates.solver(net: "net.prototxt", snapshotPrefix: "out/model", maxIter: 12, baseLR: 0.01, type: "Adam",
                                testIter: 2, testInterval: 6, snapshot: 100, seed: 3)
            .write(toFile: run + "/solver.prototxt", atomically: true, encoding: .utf8)
        var job = Trainer.Job(solverPath: run + "/solver.prototxt")
        job.seed = 7
        job.stainJitter = StainJitter()
        let fromDatabase = try Trainer(job)
        fromDatabase.logger.logLevel = .warning
        try fromDatabase.run()
        let fromDatabaseLog = try String(contentsOfFile: fromDatabase.logPath, encoding: .utf8)

        let images = try ImagePatches.load(index, folder: data.root + "/refined")
        func side(_ train: Bool) -> ShuffledPatches {
            let patients = Set(train ? f.trainPatients : f.testPatients)
            return step.records(fold: f.fold, train: train, images: images.filter { patients.contains($0.entry.patient) })
        }
        // The databases are gone: the archives alone must do.
        try FileManager.default.removeItem(atPath: paths.train)
        try FileManager.default.removeItem(atPath: paths.test)
        let fromArchives = try Trainer(job, patches: [.train: side(true), .test: side(false)])
        fromArchives.logger.logLevel = .warning
        try fromArchives.run()
        let a = fromDatabase.solver.trainNet.weights(), b = fromArchives.solver.trainNet.weights()
        #expect(Set(a.keys) == Set(b.keys) && !a.isEmpty)
        for (layer, tensors) in a {
            #expect(tensors.map { $0.data.map(\.bitPattern) } == b[layer]!.map { $0.data.map(\.bitPattern) }, "\(layer)")
        }
        #expect(try String(contentsOfFile: fromArchives.logPath, encoding: .utf8) == fromDatabaseLog)
        // Not a training that ignores its data: another shuffle seed gives other weights.
        let shuffled = ShuffledPatches(side(true).images, seed: 6, stream: DatabaseStep.shuffleStream(fold: f.fold, train: true))
        let other = try Trainer(job, patches: [.train: shuffled, .test: side(false)])
        other.logger.logLevel = .warning
        try FileManager.default.removeItem(atPath: run + "/out")
        try other.run()
        #expect(other.solver.trainNet.weights()["conv1"]!.map(\.data) != a["conv1"]!.map(\.data))
    }
}
