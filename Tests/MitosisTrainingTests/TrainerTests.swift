import Foundation
import MitosisCaffe
import MitosisData
import MitosisNN
import MitosisStore
import Testing
@testable import MitosisTraining
import MitosisSupport

// Behaviour of step 4's `Trainer` on tiny databases: exact resume, fine-tuning initialisation, two trainings
// on two threads, seeded determinism and the errors for bad input.

// MARK: - Fixture

/// A temporary folder with tiny two-class LMDB databases of 3x32x32 `Datum`s (label 1: bright patches,
/// label 0: dark patches, both with seeded noise) and the training set's mean `.binaryproto`.
private struct TrainerData {
    static let side = 32
    let folder: String
    var trainDB: String { folder + "/data/DB_train" }
    var testDB: String { folder + "/data/DB_test" }
    var mean: String { folder + "/data/mean.binaryproto" }

    init(train: Int = 64, test: Int = 24, seed: UInt64 = 5) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-trainer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        var rng = SeededRandom(seed: seed)
        let trainSet = Self.datums(train, &rng), testSet = Self.datums(test, &rng)
        try Self.write(trainSet, to: trainDB)
        try Self.write(testSet, to: testDB)
        var sums = [Double](repeating: 0, count: 3 * Self.side * Self.side)
        for d in trainSet { for (j, v) in d.data.enumerated() { sums[j] += Double(v) } }
        try MeanImage.write(Tensor(shape: [1, 3, Self.side, Self.side], data: sums.map { Float($0 / Double(train)) }),
                            to: URL(fileURLWithPath: mean))
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Label 1: pixels 136 +- 48, label 0: 120 +- 48 (uniform noise): separable on average, but not in one step.
    static func datums(_ count: Int, _ rng: inout SeededRandom) -> [Datum] {
        (0..<count).map { _ in
            let label = Int(rng.next() % 2)
            let base = label == 1 ? 136 : 120
            var pixels: [UInt8] = []
            pixels.reserveCapacity(3 * side * side)
            while pixels.count < 3 * side * side {
                var bits = rng.next()
                for _ in 0..<8 {
                    pixels.append(UInt8(base + Int(bits & 0xFF) % 97 - 48))
                    bits >>= 8
                }
            }
            return Datum(channels: 3, height: side, width: side, data: pixels, label: label)
        }
    }

    static func write(_ datums: [Datum], to path: String) throws {
        let store = try openStore(at: URL(fileURLWithPath: path), backend: .lmdb, access: .create(overwrite: false))
        try store.write(datums.enumerated().map { n, d in
            StoreRecord(key: Array(StoreKey.caffe(index: n, name: "p_\(n).png").utf8), value: d.serializedBytes())
        })
        try store.finish()
    }

    /// The tutorial's net (`NetTemplates.trainNet`) on these databases, with small batches.
    func templateNet(trainDB: String? = nil) -> String {
        NetTemplates.trainNet(trainDB: trainDB ?? self.trainDB, testDB: testDB, meanFile: mean, backend: "lmdb",
                              batchSize: 8, testBatchSize: 8)
    }

    /// A small net: data (mean file, scale 1/128, crop 28, mirror in TRAIN) -> conv1 (4 filters, `kernel` x
    /// `kernel`, same padding) -> max pool 2/2 -> ip2 (2) -> softmax loss. `kernel` changes conv1's weights only.
    func smallNet(kernel: Int = 5) -> String {
        func data(_ phase: String, _ db: String) -> String {
            """
            layer {
              name: "data" type: "Data" top: "data" top: "label"
              include { phase: \(phase) }
              transform_param { mean_file: "\(mean)" scale: 0.0078125 crop_size: 28 mirror: \(phase == "TRAIN") }
              data_param { source: "\(db)" backend: LMDB batch_size: 8 }
            }

            """
        }
        return "name: \"small\"\n" + data("TRAIN", trainDB) + data("TEST", testDB) + """
            layer {
              name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
              convolution_param { num_output: 4 kernel_size: \(kernel) pad: \((kernel - 1) / 2)
                weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" } }
            }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer {
              name: "ip2" type: "InnerProduct" bottom: "pool1" top: "ip2"
              inner_product_param { num_output: 2 weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" } }
            }
            layer { name: "accuracy" type: "Accuracy" bottom: "ip2" bottom: "label" top: "accuracy" include { phase: TEST } }
            layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip2" bottom: "label" top: "loss" }

            """
    }

    /// Writes `net` (default: `smallNet()`) and a solver into `folder/<run>` (snapshots go to `<run>/out/model_iter_N.*`) and returns
    /// the solver's path. `randomSeed: nil` leaves `random_seed` out, so that `Job.seed` seeds the fillers.
    func writeRun(_ run: String, net: String? = nil, maxIter: Int = 20, snapshot: Int = 5, display: Int = 5,
                  testInterval: Int = 5, type: String = "AdaGrad", baseLR: Double = 0.002, randomSeed: UInt64? = 1) throws -> String {
        let dir = folder + "/" + run
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try (net ?? smallNet()).write(toFile: dir + "/net.prototxt", atomically: true, encoding: .utf8)
        var solver = NetTemplates.solver(net: "net.prototxt", snapshotPrefix: "out/model", maxIter: maxIter, baseLR: baseLR,
                                         type: type, testIter: 2, testInterval: testInterval, snapshot: snapshot,
                                         display: display, seed: randomSeed ?? 0)
        if randomSeed == nil {
            solver = solver.split(separator: "\n").filter { !$0.contains("random_seed") }.joined(separator: "\n") + "\n"
        }
        try solver.write(toFile: dir + "/solver.prototxt", atomically: true, encoding: .utf8)
        return dir + "/solver.prototxt"
    }
}

/// Learnable values with their shapes, compared bit for bit (so -0 differs from 0 and NaN equals NaN).
private struct WeightBits: Equatable, CustomStringConvertible {
    let shapes: [String: [[Int]]]
    let bits: [String: [[UInt32]]]
    init(_ weights: [String: [Tensor]]) {
        shapes = weights.mapValues { $0.map(\.shape) }
        bits = weights.mapValues { $0.map { $0.data.map(\.bitPattern) } }
    }
    init(model path: String) throws { self.init(try CaffeModel(contentsOf: URL(fileURLWithPath: path)).weights) }
    var description: String { "\(bits.count) layers " + shapes.keys.sorted().map { "\($0)\(shapes[$0]!)" }.joined(separator: " ") }
}

/// Builds a trainer for `solver` with `configure` applied to its job (quiet: warnings only).
private func makeTrainer(_ solver: String, seed: UInt64 = 1, _ configure: (inout Trainer.Job) -> Void = { _ in }) throws -> Trainer {
    var job = Trainer.Job(solverPath: solver)
    job.seed = seed
    configure(&job)
    let trainer = try Trainer(job)
    trainer.logger.logLevel = .warning
    return trainer
}

/// The rows of a training log, without its header.
private func logRows(_ path: String) throws -> [String] {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.first == "iteration,phase,loss,value", "\(path)")
    return Array(lines.dropFirst())
}

/// The largest difference between same-named values of two weight sets (infinity if their layers or shapes differ).
private func maxAbsDifference(_ a: [String: [Tensor]], _ b: [String: [Tensor]]) -> Float {
    guard Set(a.keys) == Set(b.keys) else { return .infinity }
    var worst: Float = 0
    for (layer, tensors) in a {
        let other = b[layer]!
        guard tensors.map(\.shape) == other.map(\.shape) else { return .infinity }
        for (x, y) in zip(tensors, other) { for (u, v) in zip(x.data, y.data) { worst = max(worst, abs(u - v)) } }
    }
    return worst
}

private func iteration(of row: String) -> Int { Int(row.prefix { $0 != "," }) ?? -1 }

/// Lets `parties` threads wait for each other (with a timeout, so that a test cannot hang).
private final class Rendezvous: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrived = 0
    private let parties: Int
    init(parties: Int) { self.parties = parties }

    /// True when all parties arrived within 30 s.
    func arriveAndWait() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date().addingTimeInterval(30)
        while arrived < parties {
            if !condition.wait(until: deadline) { return arrived >= parties }
        }
        return true
    }
}

// MARK: - Tests

@Suite struct TrainerTests {
    /// How the first half of a resumed run (16 iterations, test and display every 4) ends.
    enum Interruption: String, CaseIterable, CustomTestStringConvertible {
        /// `shouldStop` returns true after the snapshot of iteration 8 (snapshots every 4; AdaGrad).
        case shouldStop
        /// `Job.maxIter` = 8 (snapshots every 4; Adam, whose two histories must both come back).
        case maxIter
        /// `Job.maxIter` = 8 with snapshots every 3: the snapshot of iteration 8 is the one written at the end.
        case maxIterOffSnapshot
        var testDescription: String { rawValue }
        var snapshot: Int { self == .maxIterOffSnapshot ? 3 : 4 }
        var solverType: String { self == .maxIter ? "Adam" : "AdaGrad" }
    }

    @Test(arguments: Interruption.allCases)
    func resumeContinuesExactly(_ interruption: Interruption) throws {
        let data = try TrainerData()
        defer { data.remove() }
        let n = 16, half = 8
        func solver(_ run: String) throws -> String {
            try data.writeRun(run, maxIter: n, snapshot: interruption.snapshot, display: 4, testInterval: 4,
                              type: interruption.solverType)
        }

        // Uninterrupted.
        let full = try makeTrainer(try solver("full"))
        let fullModel = try full.run()
        #expect(fullModel == data.folder + "/full/out/model_iter_\(n).caffemodel")
        let fullRows = try logRows(full.logPath)

        // Stopped at `half`, then resumed from its snapshot.
        let splitSolver = try solver("split")
        let first = try makeTrainer(splitSolver) { if interruption != .shouldStop { $0.maxIter = half } }
        let stoppedModel = try first.run(shouldStop: { interruption == .shouldStop && first.solver.iteration == half })
        #expect(stoppedModel == data.folder + "/split/out/model_iter_\(half).caffemodel")
        #expect(first.solver.iteration == half)
        #expect(!FileManager.default.fileExists(atPath: data.folder + "/split/out/model_iter_\(n).caffemodel"))
        let resumeFile = data.folder + "/split/out/model_iter_\(half).resume.json"
        #expect(FileManager.default.fileExists(atPath: resumeFile))
        #expect(FileManager.default.fileExists(atPath: data.folder + "/split/out/model_iter_\(half).solverstate"))

        let second = try makeTrainer(splitSolver) { $0.resume = resumeFile }
        #expect(second.solver.iteration == half)
        // The restored weights are those the uninterrupted run had at `half`.
        let fullHalf = data.folder + "/full/out/model_iter_\(half).caffemodel"
        if interruption.snapshot == 4 {
            #expect(WeightBits(second.solver.trainNet.weights()) == (try WeightBits(model: fullHalf)))
        }
        let resumedModel = try second.run()
        #expect(resumedModel == data.folder + "/split/out/model_iter_\(n).caffemodel")

        // Training moved the weights, and both routes end bit for bit at the same place.
        let end = try WeightBits(model: fullModel), resumedEnd = try WeightBits(model: resumedModel)
        #expect(end != (try WeightBits(model: stoppedModel)))
        #expect(end == resumedEnd)

        // The log rows after the resume point are the same: training loss per display interval ...
        let splitRows = try logRows(second.logPath)
        func rows(_ log: [String], _ phase: String) -> [String] {
            log.filter { iteration(of: $0) > half && $0.contains(",\(phase),") }
        }
        #expect(rows(fullRows, "train").count == 2 && rows(fullRows, "test").count == 2, "\(fullRows)")
        #expect(Set(fullRows.map { $0.split(separator: ",")[2] }).count > 4, "the losses should vary: \(fullRows)")
        #expect(rows(splitRows, "train") == rows(fullRows, "train"))
        // ... and test results (a run that ends at max_iter snapshots before its final test, as Caffe, so the
        // resumed run repeats that test on the same records).
        #expect(rows(splitRows, "test") == rows(fullRows, "test"))
        // The whole log reads as the uninterrupted one: the rows up to the resume point are carried over once.
        #expect(splitRows == fullRows)
    }

    @Test func fineTuningStartsFromTheGivenWeights() throws {
        let data = try TrainerData()
        defer { data.remove() }
        // A previous run (seed 1) provides the weights.
        let previous = try makeTrainer(try data.writeRun("previous", maxIter: 10, snapshot: 0, randomSeed: nil), seed: 1)
        let model = try previous.run()
        let given = try WeightBits(model: model)

        // Another seed initialises differently ...
        let solver = try data.writeRun("tune", maxIter: 0, snapshot: 0, randomSeed: nil)
        let scratch = try makeTrainer(solver, seed: 2)
        #expect(WeightBits(scratch.solver.trainNet.weights()) != given)
        // ... but with `weights` the nets start from the caffemodel, layer by layer (test net included).
        let tuned = try makeTrainer(solver, seed: 2) { $0.weights = model }
        #expect(tuned.solver.iteration == 0)
        #expect(WeightBits(tuned.solver.trainNet.weights()) == given)
        let caffe = try CaffeModel(contentsOf: URL(fileURLWithPath: model)).weights
        #expect(Set(caffe.keys) == ["conv1", "ip2"])
        for layer in ["conv1", "ip2"] {
            #expect(tuned.solver.trainNet.params(of: layer) == caffe[layer], "\(layer)")
            #expect(tuned.solver.testNet?.params(of: layer) == caffe[layer], "\(layer) in the test net")
        }

        // Training then moves on from those weights: one AdaGrad step changes no value by more than base_lr
        // (0.002), whereas the seed-2 initialisation is far from them.
        let one = try makeTrainer(try data.writeRun("tune1", maxIter: 1, snapshot: 0, randomSeed: nil), seed: 2) { $0.weights = model }
        let stepped = try CaffeModel(contentsOf: URL(fileURLWithPath: one.run())).weights
        #expect(WeightBits(stepped) != given)
        #expect(maxAbsDifference(stepped, caffe) <= 0.00201)
        #expect(maxAbsDifference(scratch.solver.trainNet.weights(), caffe) > 0.05)
    }

    @Test func weightsOfAnotherArchitectureAreAnErrorNamingTheLayer() throws {
        let data = try TrainerData()
        defer { data.remove() }
        // conv1 5x5 vs 3x3: only conv1's weights differ in shape.
        let five = try makeTrainer(try data.writeRun("k5", net: data.smallNet(kernel: 5), maxIter: 0, snapshot: 0))
        let model = try five.snapshot()
        let threeSolver = try data.writeRun("k3", net: data.smallNet(kernel: 3), maxIter: 0, snapshot: 0)
        _ = try makeTrainer(threeSolver)  // fine without the weights
        #expect {
            try makeTrainer(threeSolver) { $0.weights = model }
        } throws: { error in
            let text = "\(error)"
            return text.contains("conv1") && !text.contains("ip2") && text.contains("[4, 3, 3, 3]") && text.contains("[4, 3, 5, 5]")
        }
        // A caffemodel that is not there is an error naming it.
        let missing = data.folder + "/nowhere/model.caffemodel"
        #expect {
            try makeTrainer(threeSolver) { $0.weights = missing }
        } throws: { "\($0)".contains(missing) }
    }

    /// `caffe train --weights` (`Net::CopyTrainedLayersFrom`) skips source layers the target net does not have
    /// ("Ignoring source layer ..."), which is how fine-tuning replaces a renamed last layer.
    @Test func weightsWithAnExtraLayerAreCopiedByNameLikeCaffe() throws {
        let data = try TrainerData()
        defer { data.remove() }
        let solver = try data.writeRun("small", net: data.smallNet(), maxIter: 0, snapshot: 0)
        let source = try makeTrainer(solver, seed: 1)
        var weights = source.solver.trainNet.weights()
        for key in weights.keys { weights[key] = weights[key]!.map { Tensor(shape: $0.shape, data: $0.data.map { $0 + 0.5 }) } }
        weights["ip_old"] = [Tensor(shape: [2, 7], fill: 0.25), Tensor(shape: [2], fill: 0)]
        let model = data.folder + "/extra.caffemodel"
        try CaffeModel(name: "small", weights: weights).write(to: URL(fileURLWithPath: model))
        let tuned = try makeTrainer(solver) { $0.weights = model }
        #expect(tuned.solver.trainNet.params(of: "conv1") == weights["conv1"])
        #expect(tuned.solver.trainNet.params(of: "ip2") == weights["ip2"])
    }

    @Test func resumeTakesPrecedenceOverWeights() throws {
        let data = try TrainerData()
        defer { data.remove() }
        let solver = try data.writeRun("run", maxIter: 10, snapshot: 5)
        try makeTrainer(solver).run()
        let resume = data.folder + "/run/out/model_iter_5.resume.json"
        let atFive = try WeightBits(model: data.folder + "/run/out/model_iter_5.caffemodel")
        let other = try makeTrainer(try data.writeRun("other", maxIter: 3, snapshot: 0, randomSeed: 9), seed: 9)
        let otherModel = try other.run()
        #expect(try WeightBits(model: otherModel) != atFive)

        let resumed = try makeTrainer(solver) { $0.resume = resume; $0.weights = otherModel }
        #expect(resumed.solver.iteration == 5)
        #expect(WeightBits(resumed.solver.trainNet.weights()) == atFive)
        // The weights are not even read: a caffemodel of another architecture (or none at all) is no error.
        let template = try makeTrainer(try data.writeRun("template", net: data.templateNet(), maxIter: 0, snapshot: 0)).snapshot()
        #expect(throws: Never.self) { try makeTrainer(solver) { $0.resume = resume; $0.weights = template } }
        #expect(throws: Never.self) { try makeTrainer(solver) { $0.resume = resume; $0.weights = data.folder + "/none.caffemodel" } }
        // The `.caffemodel` sibling names the same snapshot.
        let viaModel = try makeTrainer(solver) { $0.resume = data.folder + "/run/out/model_iter_5.caffemodel" }
        #expect(viaModel.solver.iteration == 5)
        #expect(WeightBits(viaModel.solver.trainNet.weights()) == atFive)
    }

    /// Each training uses its own oneDNN stream (one per thread): two at once give what each gives alone.
    @Test func twoTrainingsOnTwoThreadsMatchOneAfterAnother() throws {
        let seeds: [UInt64] = [3, 4]
        let sets = try seeds.map { _ in try TrainerData() }
        defer { sets.forEach { $0.remove() } }
        func train(_ index: Int, _ run: String, rendezvous: Rendezvous?) -> Result<(WeightBits, Bool), Error> {
            DNNL.setThreadCountForCallingThread(1)
            return Result {
                let solver = try sets[index].writeRun(run, maxIter: 30, snapshot: 0, display: 10, testInterval: 10,
                                                      type: "Adam", randomSeed: nil)
                let trainer = try makeTrainer(solver, seed: seeds[index])
                var met = rendezvous == nil
                let model = try trainer.run(progress: { p in
                    // Both trainings are past their first iteration before either goes on: they overlap.
                    if p.iteration == 1, let rendezvous { met = rendezvous.arriveAndWait() }
                })
                return (try WeightBits(model: model), met)
            }
        }
        let sequential = ParallelMap.onThreads(Array(seeds.indices), width: 1) { i, _ in train(i, "sequential", rendezvous: nil) }
        let rendezvous = Rendezvous(parties: 2)
        let concurrent = ParallelMap.onThreads(Array(seeds.indices), width: 2) { i, _ in
            train(i, "concurrent", rendezvous: rendezvous)
        }
        let one = try sequential.map { try $0.get().0 }
        let both = try concurrent.map { try $0.get() }
        #expect(both.allSatisfy { $0.1 }, "the two trainings did not run at the same time")
        #expect(one[0] != one[1])
        for i in seeds.indices { #expect(both[i].0 == one[i], "seed \(seeds[i])") }
    }

    @Test func sameSeedSameWeightsOtherSeedOtherWeights() throws {
        let data = try TrainerData()
        defer { data.remove() }
        // Without `random_seed` in the solver, `Job.seed` seeds the fillers and the data (mirror) draws.
        func train(_ run: String, seed: UInt64, randomSeed: UInt64? = nil) throws -> WeightBits {
            let trainer = try makeTrainer(try data.writeRun(run, maxIter: 12, snapshot: 0, randomSeed: randomSeed), seed: seed)
            return try WeightBits(model: trainer.run())
        }
        let a = try train("a", seed: 7), b = try train("b", seed: 7), c = try train("c", seed: 8)
        #expect(a == b)
        #expect(a != c)
        // With `random_seed` in the solver the fillers are fixed, and `Job.seed` still varies the mirror draws.
        let d = try train("d", seed: 7, randomSeed: 11), e = try train("e", seed: 7, randomSeed: 11), f = try train("f", seed: 8, randomSeed: 11)
        #expect(d == e)
        #expect(d != f)
        let initial = { (seed: UInt64) in
            WeightBits(try makeTrainer(try data.writeRun("init\(seed)", maxIter: 0, randomSeed: 11), seed: seed).solver.trainNet.weights())
        }
        #expect(try initial(7) == initial(8))
    }

    @Test func missingDataSourceIsAnErrorNamingThePath() throws {
        let data = try TrainerData()
        defer { data.remove() }
        let run = data.folder + "/run"
        // Relative to the solver's folder, as the tutorial writes it.
        let solver = try data.writeRun("run", net: data.templateNet(trainDB: "missing/DB_nope"))
        #expect {
            try makeTrainer(solver)
        } throws: { "\($0)".contains(run + "/missing/DB_nope") }
        // Absolute.
        let absolute = try data.writeRun("abs", net: data.templateNet(trainDB: data.folder + "/gone/DB_train"))
        #expect {
            try makeTrainer(absolute)
        } throws: { "\($0)".contains(data.folder + "/gone/DB_train") }
        // The net file itself.
        let noNet = try data.writeRun("nonet")
        try FileManager.default.removeItem(atPath: data.folder + "/nonet/net.prototxt")
        #expect {
            try makeTrainer(noNet)
        } throws: { "\($0)".contains(data.folder + "/nonet/net.prototxt") }
        // The mean file.
        let noMean = try data.writeRun("nomean", net: data.templateNet().replacingOccurrences(of: data.mean, with: data.folder + "/mean_gone.binaryproto"))
        #expect {
            try makeTrainer(noMean)
        } throws: { "\($0)".contains(data.folder + "/mean_gone.binaryproto") }
    }

    @Test func syntaxErrorsNameTheFileAndLine() throws {
        let data = try TrainerData()
        defer { data.remove() }
        let solver = try data.writeRun("run")
        var lines = try String(contentsOfFile: solver, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count > 5 && lines[4].hasPrefix("base_lr:"))
        lines[4] = "base_lr 0.01 }"  // line 5
        try lines.joined(separator: "\n").write(toFile: solver, atomically: true, encoding: .utf8)
        #expect {
            try makeTrainer(solver)
        } throws: { "\($0)".contains(solver + ":5") }

        // A misspelt field in the net (line 4 of the template) names the net file and line.
        let badNet = data.templateNet().replacingOccurrences(of: "include { phase: TRAIN }", with: "includ { phase: TRAIN }")
        #expect(badNet.split(separator: "\n", omittingEmptySubsequences: false)[3].contains("includ { phase: TRAIN }"))
        let netRun = try data.writeRun("badnet", net: badNet)
        let net = data.folder + "/badnet/net.prototxt"
        #expect {
            try makeTrainer(netRun)
        } throws: { "\($0)".contains(net + ":4") }
        // A missing solver file.
        #expect {
            try makeTrainer(data.folder + "/none/solver.prototxt")
        } throws: { "\($0)".contains(data.folder + "/none/solver.prototxt") }
    }
}
