import Foundation
import MitosisCaffe
import MitosisImage
import MitosisNN
import MitosisStore
import MitosisSupport
import Testing
@testable import MitosisPipeline
@testable import MitosisTraining

/// `count` random RGB images of `size` x `size`, labels 0, 1, 2, ... (mod `classes`).
private func randomSamples(_ count: Int, size: Int = 6, classes: Int = 1_000, seed: UInt64 = 1) -> [(image: Image, label: Int)] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { i in
        let pixels = (0..<(size * size * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return (Image(width: size, height: size, channels: 3, pixels: pixels), i % classes)
    }
}

private func definition(batch: Int, _ configure: (inout TransformDefinition) -> Void = { _ in }) -> DataDefinition {
    var d = DataDefinition()
    d.batchSize = batch
    configure(&d.transform)
    return d
}

/// The float values of one image as the data layer sees it without transforms: BGR, channel-major.
private func planes(_ image: Image) -> [Float] {
    bgrPlanes(image.pixels, width: image.width, height: image.height).map(Float.init)
}

/// Left-right flip of a C x H x W array.
private func flipped(_ values: [Float], channels: Int, height: Int, width: Int) -> [Float] {
    var out = values
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width { out[(c * height + y) * width + x] = values[(c * height + y) * width + (width - 1 - x)] }
        }
    }
    return out
}

/// A crop of a C x H x W array.
private func cropped(_ values: [Float], channels: Int, height: Int, width: Int, row: Int, column: Int, size: Int) -> [Float] {
    var out: [Float] = []
    for c in 0..<channels {
        for y in 0..<size {
            for x in 0..<size { out.append(values[(c * height + row + y) * width + column + x]) }
        }
    }
    return out
}

private func sample(_ batch: Tensor, _ i: Int) -> [Float] {
    let n = batch.count / batch.shape[0]
    return Array(batch.data[(i * n)..<((i + 1) * n)])
}

@Suite struct DatabaseBatchSourceTests {
    @Test func shapesAndWrapAround() throws {
        let samples = randomSamples(5)
        let source = try DatabaseBatchSource(samples: [.train: samples, .test: samples],
                                             definitions: [.train: definition(batch: 3), .test: definition(batch: 4)])
        #expect(source.dataShape(for: .train) == [3, 3, 6, 6])
        #expect(source.dataShape(for: .test) == [4, 3, 6, 6])
        var labels: [Float] = []
        for _ in 0..<4 {
            let batch = try source.nextBatch(for: .train)
            #expect(batch.data.shape == [3, 3, 6, 6] && batch.label.shape == [3])
            labels += batch.label.data
        }
        // Records 0...4 then from the start again; a batch spans the wrap as in Caffe.
        #expect(labels == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1])
        // TEST has its own position.
        #expect(try source.nextBatch(for: .test).label.data == [0, 1, 2, 3])
        #expect(try source.nextBatch(for: .test).label.data == [4, 0, 1, 2])
        let first = try source.nextBatch(for: .train)
        #expect(sample(first.data, 0) == planes(samples[2].image))
    }

    @Test func meanFileValueAndScale() throws {
        let samples = randomSamples(4)
        let mean = Tensor(shape: [1, 3, 6, 6], data: (0..<108).map { Float($0) * 0.75 })
        let source = try DatabaseBatchSource(samples: [.test: samples], definitions: [.test: definition(batch: 4) { $0.scale = 0.5 }],
                                             meanImage: mean)
        let batch = try source.nextBatch(for: .test)
        for i in 0..<4 {
            let expected = zip(planes(samples[i].image), mean.data).map { ($0 - $1) * 0.5 }
            #expect(sample(batch.data, i) == expected)
        }
        // mean_value: one per channel (B, G, R).
        let perChannel = try DatabaseBatchSource(samples: [.test: samples],
                                                 definitions: [.test: definition(batch: 2) { $0.meanValues = [10, 20, 30] }])
        let b2 = try perChannel.nextBatch(for: .test)
        let expected = planes(samples[0].image).enumerated().map { j, v in v - [10, 20, 30][j / 36] }
        #expect(sample(b2.data, 0) == expected)
        // Both together, a mean of another size, or too many mean values are errors.
        #expect(throws: PipelineError.self) {
            try DatabaseBatchSource(samples: [.test: samples], definitions: [.test: definition(batch: 1) { $0.meanValues = [1] }], meanImage: mean)
        }
        #expect(throws: PipelineError.self) {
            try DatabaseBatchSource(samples: [.test: samples], definitions: [.test: definition(batch: 1)],
                                    meanImage: Tensor(shape: [1, 3, 4, 4], fill: 0))
        }
        #expect(throws: PipelineError.self) {
            try DatabaseBatchSource(samples: [.test: samples], definitions: [.test: definition(batch: 1) { $0.meanValues = [1, 2] }])
        }
    }

    @Test func mirrorOnlyInTrainAboutHalf() throws {
        let samples = randomSamples(50)
        let mirror = definition(batch: 50) { $0.mirror = true }
        let source = try DatabaseBatchSource(samples: [.train: samples, .test: samples], definitions: [.train: mirror, .test: mirror], seed: 5)
        var flips = 0
        for _ in 0..<4 {
            let batch = try source.nextBatch(for: .train)
            for i in 0..<50 {
                let plain = planes(samples[i].image), got = sample(batch.data, i)
                if got == plain { continue }
                #expect(got == flipped(plain, channels: 3, height: 6, width: 6))
                flips += 1
            }
        }
        #expect(flips > 70 && flips < 130, "\(flips) of 200 mirrored")
        let test = try source.nextBatch(for: .test)
        for i in 0..<50 { #expect(sample(test.data, i) == planes(samples[i].image)) }
    }

    @Test func cropTrainRandomTestCentreWithMean() throws {
        let samples = randomSamples(40, size: 8)
        let mean = Tensor(shape: [1, 3, 8, 8], data: (0..<192).map { Float($0 % 17) * 3 })
        let crop = definition(batch: 40) { $0.cropSize = 5; $0.mirror = true }
        let source = try DatabaseBatchSource(samples: [.train: samples, .test: samples], definitions: [.train: crop, .test: crop],
                                             meanImage: mean, seed: 2)
        #expect(source.dataShape(for: .train) == [40, 3, 5, 5])
        let test = try source.nextBatch(for: .test)
        for i in 0..<40 {
            let centred = zip(planes(samples[i].image), mean.data).map { $0 - $1 }
            // (8 - 5) / 2 = 1, as Caffe's integer division.
            #expect(sample(test.data, i) == cropped(centred, channels: 3, height: 8, width: 8, row: 1, column: 1, size: 5))
        }
        let train = try source.nextBatch(for: .train)
        var offsets = Set<[Int]>()
        for i in 0..<40 {
            let centred = zip(planes(samples[i].image), mean.data).map { $0 - $1 }
            let got = sample(train.data, i)
            var found: [Int]?
            for r in 0...3 {
                for c in 0...3 {
                    let window = cropped(centred, channels: 3, height: 8, width: 8, row: r, column: c, size: 5)
                    if got == window || got == flipped(window, channels: 3, height: 5, width: 5) { found = [r, c] }
                }
            }
            #expect(found != nil, "sample \(i) is no crop of its record minus the cropped mean")
            if let found { offsets.insert(found) }
        }
        #expect(offsets.count > 5)
        #expect(throws: PipelineError.self) {
            try DatabaseBatchSource(samples: [.train: samples], definitions: [.train: definition(batch: 1) { $0.cropSize = 9 }])
        }
    }

    @Test func sameSeedSameBatchesWhateverThePrefetch() throws {
        let samples = randomSamples(30, size: 8)
        let crop = definition(batch: 7) { $0.cropSize = 6; $0.mirror = true }
        func batches(seed: UInt64, prefetch: Int) throws -> [Tensor] {
            let source = try DatabaseBatchSource(samples: [.train: samples, .test: samples], definitions: [.train: crop, .test: crop],
                                                 seed: seed, prefetchDepth: prefetch)
            var out: [Tensor] = []
            for i in 0..<10 {
                out.append(try source.nextBatch(for: .train).data)
                if i % 3 == 0 { _ = try source.nextBatch(for: .test) }
            }
            return out
        }
        let a = try batches(seed: 8, prefetch: 3), b = try batches(seed: 8, prefetch: 0), c = try batches(seed: 8, prefetch: 1)
        #expect(a == b && a == c)
        #expect(try batches(seed: 9, prefetch: 3) != a)
    }

    @Test func missingPhaseIsAnError() throws {
        let source = try DatabaseBatchSource(samples: [.train: randomSamples(2)], definitions: [.train: definition(batch: 1)])
        #expect(source.dataShape(for: .test) == nil)
        #expect { try source.nextBatch(for: .test) } throws: { "\($0)".contains("TEST") }
    }

    @Test func decoderMatchesDatum() throws {
        let datum = Datum(channels: 3, height: 2, width: 5, data: (0..<30).map { UInt8($0 * 7) }, label: -3)
        let bytes = datum.serializedBytes()
        let record = try bytes.withUnsafeBytes { raw -> (Int, Int, Int, Int, [UInt8]) in
            let r = try _DatumRecord(parsing: raw)
            try r.validate()
            return (r.channels, r.height, r.width, r.label, Array(r.data))
        }
        #expect(record.0 == 3 && record.1 == 2 && record.2 == 5 && record.3 == -3 && record.4 == datum.data)
        #expect(throws: (any Error).self) { try [UInt8]([0x22, 0x05, 1]).withUnsafeBytes { try _DatumRecord(parsing: $0) } }
    }
}

/// DatabaseBatchSource on real databases written by step 3.
@Suite struct DatabaseBatchSourceStoreTests {
    @Test(arguments: StoreBackend.allCases)
    func readsStepThreeDatabases(backend: StoreBackend) throws {
        let set = try TinyPatchSet()
        defer { try? FileManager.default.removeItem(atPath: set.folder) }
        try DatabaseStep(backend: backend, seed: 7).run(set.index, patchFolder: set.folder, folds: set.folds, into: set.folder + "/db")
        // Relative names, as the tutorial's prototxt (`../DB_train_1`) from a folder beside the databases.
        let base = set.folder + "/db/fold1"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        func layer(_ side: String, mirror: Bool) -> DataDefinition {
            var d = DataDefinition()
            d.source = "../DB_\(side)_1"
            d.backend = "LEVELDB"  // Caffe's default, as the tutorial leaves it; the files decide
            d.batchSize = 4
            d.transform.meanFile = "../DB_train_w8_1.binaryproto"
            d.transform.cropSize = 8
            d.transform.mirror = mirror
            return d
        }
        // Read before the source opens it: LevelDB allows one open handle per database.
        let records = try readDatabaseRecords(set.folder + "/db/DB_test_1", backend: backend)
        let source = try DatabaseBatchSource(definitions: [.train: layer("train", mirror: true), .test: layer("test", mirror: false)],
                                             baseFolder: base)
        let mean = try MeanImage.read(contentsOf: URL(fileURLWithPath: set.folder + "/db/DB_train_w8_1.binaryproto"))
        var expectedLabels: [Float] = [], labels: [Float] = []
        for round in 0..<3 {
            let batch = try source.nextBatch(for: .test)
            #expect(batch.data.shape == [4, 3, 8, 8])
            labels += batch.label.data
            for i in 0..<4 {
                let datum = try Datum(serializedBytes: records[(round * 4 + i) % records.count].value)
                expectedLabels.append(Float(datum.label))
                #expect(sample(batch.data, i) == zip(datum.data, mean.data).map { Float($0) - $1 })
            }
        }
        #expect(labels == expectedLabels)
        #expect(try source.nextBatch(for: .train).data.shape == [4, 3, 8, 8])
        source.close()
        // close() lets go of the databases at once: LevelDB can be opened again straight away.
        for _ in 0..<5 {
            let again = try DatabaseBatchSource(definitions: [.train: layer("train", mirror: true)], baseFolder: base)
            _ = try again.nextBatch(for: .train)
            again.close()
        }
        #expect(throws: StoreError.self) {
            try DatabaseBatchSource(definitions: [.train: layer("nope", mirror: false)], baseFolder: base)
        }
    }

    @Test func badRecordNamesDatabaseAndKey() throws {
        let folder = databaseTestFolder("bad-record")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try openStore(at: URL(fileURLWithPath: folder + "/DB"), backend: .lmdb, access: .create(overwrite: false))
        let good = Datum(channels: 3, height: 2, width: 2, data: [UInt8](repeating: 1, count: 12), label: 1).serializedBytes()
        try store.write([StoreRecord(key: Array("00000000_a.png".utf8), value: good),
                         StoreRecord(key: Array("00000001_b.png".utf8), value: [0x08, 0x03, 0x22, 0x02, 1, 2])])
        try store.finish()
        var d = DataDefinition()
        d.source = "DB"
        d.backend = "LMDB"
        d.batchSize = 2
        let source = try DatabaseBatchSource(definitions: [.train: d], baseFolder: folder)
        #expect { try source.nextBatch(for: .train) } throws: {
            "\($0)".contains(folder + "/DB") && "\($0)".contains("00000001_b.png")
        }
    }
}

/// scripts/fixtures/check_db_interop.py reads our databases with Python's lmdb / plyvel and protobuf.
@Suite struct DatabaseInteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/fixtures/check_db_interop.py")

    static func python(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    static let available = python(["-c", "import lmdb, plyvel, google.protobuf"]).status == 0

    @Test(.enabled(if: available, "needs python3 with lmdb, plyvel and protobuf"), arguments: StoreBackend.allCases)
    func pythonDecodesOurDatabase(backend: StoreBackend) throws {
        let set = try TinyPatchSet()
        defer { try? FileManager.default.removeItem(atPath: set.folder) }
        let out = set.folder + "/db"
        try DatabaseStep(backend: backend, seed: 7).run(set.index, patchFolder: set.folder, folds: set.folds, into: out)
        // The PNGs `mitosis patches --png` would write.
        let png = set.folder + "/png"
        try FileManager.default.createDirectory(atPath: png, withIntermediateDirectories: true)
        for (image, patches) in set.archives {
            for p in patches {
                try ImageIO.write(Image(width: 8, height: 8, channels: 3, pixels: p.pixels), to: png + "/" + p.fileName(image: image))
            }
        }
        let paths = DatabaseStep.paths(fold: 2, patchSize: 8, in: out)
        let ok = Self.python([Self.script.path, paths.train, "--backend", backend.name, "--mean", paths.mean,
                              "--patches-dir", png, "--channels", "3", "--size", "8"])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("OK"))
        // A mean image from another fold does not match.
        let other = DatabaseStep.paths(fold: 1, patchSize: 8, in: out).mean
        let bad = Self.python([Self.script.path, paths.train, "--backend", backend.name, "--mean", other])
        #expect(bad.status == 1, "\(bad.output)")
    }
}

/// The training feed's own Datum reader on the input scripts/fuzz.sh found (Fuzz/regressions/datum) and on
/// sizes whose product overflows: a named failure, never a trap.
@Suite struct DatumRecordFuzzRegressionTests {
    @Test func malformedSizesAreRefused() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/datum").path
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            try bytes.withUnsafeBytes { raw in
                let record = try _DatumRecord(parsing: raw)
                #expect(throws: (any Error).self) { try record.validate() }
            }
        }
        // channels 2^31-1, height 2^31-1, width 4: the product overflows Int64.
        var big = try _DatumRecord(parsing: UnsafeRawBufferPointer(start: nil, count: 0))
        big.channels = Int(Int32.max); big.height = Int(Int32.max); big.width = 4
        #expect(throws: (any Error).self) { try big.validate() }
    }
}
