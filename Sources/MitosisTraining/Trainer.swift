import Foundation
import Logging
import MitosisCaffe
import MitosisData
import MitosisNN
import MitosisSupport

/// Step 4: `caffe train --solver=...` for the tutorial's solver and net files (or ours).
///
/// Paths in the solver (`net`, `snapshot_prefix`) and in the net's data layers (`source`, `mean_file`) are
/// resolved against `baseFolder` (default: the solver file's folder), where the tutorial keeps them.
/// Snapshots every `snapshot` iterations and at the end: `<prefix>_iter_N.caffemodel`, the Caffe
/// `<prefix>_iter_N.solverstate`, and `<prefix>_iter_N.resume.json`, which also records how many batches
/// each phase has read so that `resume` continues exactly (the same subsequent losses as an uninterrupted run).
/// A log `<prefix>_log.csv` holds the training loss per display interval and each test-phase result.
public final class Trainer {
    /// What to train.
    public struct Job: Sendable {
        public var solverPath: String
        public var substitutions: [String: String] = [:]
        public var baseFolder: String?
        /// Overrides the solver's `max_iter`.
        public var maxIter: Int?
        /// A `.resume.json` (or its `.caffemodel` / `.solverstate` sibling) to continue from.
        public var resume: String?
        /// Initial weights from a `.caffemodel`, copied by layer name (as `caffe train --weights`, for
        /// fine-tuning); ignored when resuming, whose snapshot holds the weights.
        public var weights: String?
        /// Stain augmentation of training samples (not Caffe's; nil: none, as `caffe train`).
        public var stainJitter: StainJitter?
        public var seed: UInt64 = 1
        public init(solverPath: String) { self.solverPath = solverPath }
    }

    /// One progress report.
    public struct Progress: Sendable {
        public var iteration: Int
        public var maxIter: Int
        public var loss: Float
        public var imagesPerSecond: Double
        public var testAccuracy: Float?
    }

    /// What `<prefix>_iter_N.resume.json` holds.
    struct ResumeState: Codable {
        var solver: SolverState
        var batchesRead: [String: Int]
        var seed: UInt64
        /// The train losses since the last displayed one, so a resumed run logs the same mean (absent in
        /// snapshots of earlier versions).
        var displayWindow: [Float]?
    }

    public let job: Job
    public let solverDefinition: SolverDefinition
    public let netDefinition: NetDefinition
    public let solver: Solver
    public var logger = Logger(label: "mitosis.train")
    let source: CountingBatchSource
    let base: String
    var logRows: [String] = []
    /// Train losses since the last `display` row (Caffe's displayed loss is their mean).
    var displayWindow: [Float] = []

    /// - Parameter patches: per phase, records to train and test on instead of the databases the net's data
    ///   layers name (`DatabaseBatchSource(patches:)`: the same records in the same order, read from the
    ///   patch archives).
    public init(_ job: Job, patches: [Phase: any RecordSource]? = nil,
                backend: @autoclosure () -> any ComputeBackend = OneDNNBackend()) throws {
        self.job = job
        let solverURL = URL(fileURLWithPath: job.solverPath)
        base = job.baseFolder ?? solverURL.deletingLastPathComponent().path
        var sd = try SolverImporter.read(contentsOf: solverURL, substitutions: job.substitutions)
        if let m = job.maxIter { sd.maxIter = m }
        if sd.randomSeed < 0 { sd.randomSeed = Int64(truncatingIfNeeded: job.seed) }
        solverDefinition = sd
        let netURL = URL(fileURLWithPath: Trainer.resolve(sd.net, in: base))
        netDefinition = try NetImporter.read(contentsOf: netURL, substitutions: job.substitutions)
        let net = netDefinition, folder = base
        let batches = try patches.map {
            try DatabaseBatchSource(patches: $0, definitions: DatabaseBatchSource.dataDefinitions(of: net),
                                    baseFolder: folder, seed: job.seed, stainJitter: job.stainJitter)
        } ?? DatabaseBatchSource(net: net, baseFolder: folder, seed: job.seed, stainJitter: job.stainJitter)
        source = CountingBatchSource(batches)
        func shapes(_ phase: Phase) -> [String: [Int]] {
            guard let data = batches.dataShape(for: phase) else { return [:] }
            return ["data": data, "label": [data[0]]]
        }
        let seed = UInt64(sd.randomSeed)
        let train = try Net(definition: netDefinition, phase: .train, inputShapes: shapes(.train), backend: backend(), seed: seed)
        let test = batches.dataShape(for: .test) == nil ? nil
            : try Net(definition: netDefinition, phase: .test, inputShapes: shapes(.test), backend: backend(), seed: seed)
        solver = try Solver(definition: sd, trainNet: train, testNet: test)
        if let resume = job.resume {
            try restore(from: resume)
        } else if let weights = job.weights {
            // As Caffe's CopyTrainedLayersFrom: layers the net lacks are ignored (e.g. a renamed last layer).
            let stored = try CaffeModel(contentsOf: URL(fileURLWithPath: weights)).weights
            let known = Set(netDefinition.layers.map(\.name))
            let ignored = stored.keys.filter { !known.contains($0) }.sorted()
            try solver.trainNet.loadWeights(stored.filter { known.contains($0.key) })
            logger.info("initial weights from \(weights)\(ignored.isEmpty ? "" : "; ignoring its layers " + ignored.joined(separator: ", "))")
        }
    }

    /// Trains to `max_iter`. `shouldStop` is polled after every iteration (e.g. set by Ctrl-C): a snapshot is
    /// written and the run returns early. Returns the path of the last snapshot's caffemodel.
    @discardableResult
    public func run(progress: ((Progress) -> Void)? = nil, shouldStop: () -> Bool = { false }) throws -> String {
        let sd = solverDefinition
        let batch = source.batchSize(for: .train)
        var lastAccuracy: Float?
        var clock = Date()
        var imagesSinceClock = 0
        var rate = 0.0
        var lastSnapshot: String?
        while solver.iteration < sd.maxIter {
            if let test = try testIfDue() { lastAccuracy = test.accuracy }
            let loss = try solver.step(batch: source.nextBatch(for: .train))
            displayWindow.append(loss)
            imagesSinceClock += batch
            let elapsed = Date().timeIntervalSince(clock)
            if elapsed >= 2 { rate = Double(imagesSinceClock) / elapsed; clock = Date(); imagesSinceClock = 0 }
            let it = solver.iteration
            if sd.display > 0 && it % sd.display == 0 || it == sd.maxIter {
                let mean = displayWindow.reduce(0, +) / Float(max(displayWindow.count, 1))
                logRows.append("\(it),train,\(mean),\(solver.learningRate)")
                logger.debug("Iteration \(it), loss = \(mean), lr = \(solver.learningRate)")
                displayWindow.removeAll()
            }
            progress?(Progress(iteration: it, maxIter: sd.maxIter, loss: loss, imagesPerSecond: rate, testAccuracy: lastAccuracy))
            if sd.snapshot > 0 && it % sd.snapshot == 0 { lastSnapshot = try snapshot() }
            if shouldStop() {
                logger.notice("stopped at iteration \(it): writing a snapshot")
                return try snapshot()
            }
        }
        // As Caffe: the final snapshot comes before the final test, so a run resumed from it repeats that test
        // on the same batches as an uninterrupted run would.
        if lastSnapshot == nil || !lastSnapshot!.contains("_iter_\(solver.iteration).") { lastSnapshot = try snapshot() }
        _ = try testIfDue(final: true)
        try writeLog()
        return lastSnapshot!
    }

    /// Runs the test phase when Caffe would: every `test_interval` (and at 0 with `test_initialization`).
    func testIfDue(final: Bool = false) throws -> Solver.TestResult? {
        let sd = solverDefinition, it = solver.iteration
        guard solver.testNet != nil, sd.testInterval > 0, it % sd.testInterval == 0,
              it > 0 || sd.testInitialization, !(final && it == 0) else { return nil }
        if final, logRows.last?.hasPrefix("\(it),test,") == true { return nil }
        let result = try solver.test(source: source)
        logRows.append("\(it),test,\(result.loss),\(result.accuracy.map { String($0) } ?? "")")
        logger.info("Iteration \(it), test loss = \(result.loss), accuracy = \(result.accuracy.map { String($0) } ?? "-")")
        return result
    }

    /// Writes the snapshot files of the current iteration; returns the caffemodel's path.
    @discardableResult
    public func snapshot() throws -> String {
        let prefix = Trainer.resolve(solverDefinition.snapshotPrefix.isEmpty ? "snapshot" : solverDefinition.snapshotPrefix, in: base)
        let stem = "\(prefix)_iter_\(solver.iteration)"
        try FileManager.default.createDirectory(atPath: (stem as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let model = CaffeModel(name: netDefinition.name, weights: solver.trainNet.weights(), definition: netDefinition)
        try model.write(to: URL(fileURLWithPath: stem + ".caffemodel"))
        let state = solver.state
        try SolverStateFile(iteration: state.iteration, learnedNet: stem + ".caffemodel", history: state.caffeHistory)
            .write(to: URL(fileURLWithPath: stem + ".solverstate"))
        let resume = ResumeState(solver: state, batchesRead: source.counts, seed: job.seed, displayWindow: displayWindow)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys   // the same state gives the same bytes (key order is per process otherwise)
        try AtomicFile.write(encoder.encode(resume), to: stem + ".resume.json")
        try writeLog()
        logger.info("Snapshotting to \(stem).caffemodel")
        return stem + ".caffemodel"
    }

    /// Loads weights and solver state and fast-forwards the data to where the snapshot left it.
    func restore(from path: String) throws {
        var stem = path
        for ext in [".resume.json", ".caffemodel", ".solverstate"] where stem.hasSuffix(ext) { stem.removeLast(ext.count) }
        guard let data = FileManager.default.contents(atPath: stem + ".resume.json") else {
            throw PipelineError.missingInput(path: stem + ".resume.json", hint: "resume from a snapshot written by `mitosis train`")
        }
        let state = try JSONDecoder().decode(ResumeState.self, from: data)
        try solver.trainNet.loadWeights(try CaffeModel(contentsOf: URL(fileURLWithPath: stem + ".caffemodel")).weights)
        try solver.restore(state.solver)
        for (phase, n) in state.batchesRead { try source.skip(n, for: Phase(rawValue: phase) ?? .train) }
        displayWindow = state.displayWindow ?? []
        logRows = Trainer.readLog(stem: stem, prefix: solverDefinition.snapshotPrefix, base: base, upTo: state.solver.iteration)
        logger.info("resumed at iteration \(state.solver.iteration) from \(stem)")
    }

    /// Path of the CSV log.
    public var logPath: String {
        Trainer.resolve((solverDefinition.snapshotPrefix.isEmpty ? "snapshot" : solverDefinition.snapshotPrefix) + "_log.csv", in: base)
    }

    func writeLog() throws {
        try AtomicFile.write(Data((["iteration,phase,loss,value"] + logRows).joined(separator: "\n").utf8 + [10]), to: logPath)
    }

    static func readLog(stem: String, prefix: String, base: String, upTo iteration: Int) -> [String] {
        let path = resolve((prefix.isEmpty ? "snapshot" : prefix) + "_log.csv", in: base)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        // Rows up to the snapshot, except its iteration's test, which the resumed run repeats first.
        return text.split(separator: "\n").dropFirst().map(String.init).filter { row in
            let it = Int(row.split(separator: ",").first ?? "") ?? .max
            return it < iteration || (it == iteration && !row.hasPrefix("\(it),test,"))
        }
    }

    static func resolve(_ path: String, in base: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }
}

/// Counts the batches read per phase, so a resumed run can skip exactly as many.
final class CountingBatchSource: BatchSource {
    let inner: DatabaseBatchSource
    private(set) var counts: [String: Int] = [:]
    init(_ inner: DatabaseBatchSource) { self.inner = inner }

    func nextBatch(for phase: Phase) throws -> (data: Tensor, label: Tensor) {
        counts[phase.rawValue, default: 0] += 1
        return try inner.nextBatch(for: phase)
    }

    func skip(_ n: Int, for phase: Phase) throws {
        for _ in 0..<n { _ = try nextBatch(for: phase) }
    }

    func batchSize(for phase: Phase) -> Int { inner.dataShape(for: phase)?.first ?? 0 }
}
