/// Trains a net with Caffe's solver loop (Caffe's `Solver` / `SGDSolver` and subclasses).
///
/// Each iteration: clear parameter gradients; `iter_size` forward/backward passes; clip gradients to
/// `clip_gradients` (global L2 norm); divide by `iter_size`; add weight decay (`L2`: `decay*decay_mult*w`,
/// `L1`: `decay*decay_mult*sign(w)`); turn gradients into steps with the `UpdateRule` and
/// `lr = policy(base_lr, iter) * lr_mult`; subtract. A TEST net, if given, shares the train net's weights and
/// runs every `test_interval` iterations for `test_iter` batches. Batches come from outside (`BatchSource`).
public final class Solver {
    /// The solver settings.
    public let definition: SolverDefinition
    /// The update rule from `definition.type`.
    public let rule: UpdateRule
    /// The net being trained.
    public let trainNet: Net
    /// The net run in test phases; it shares `trainNet`'s weights.
    public let testNet: Net?
    /// Iterations done.
    public private(set) var iteration = 0
    /// Input blob names fed with a batch's data and labels.
    public var dataInput = "data", labelInput = "label"
    /// Receives progress lines (Caffe's log); nil = silent.
    public var log: ((String) -> Void)?
    /// Results of every test phase run by `step(_:source:)`, with the iteration it ran at.
    public private(set) var testResults: [(iteration: Int, result: TestResult)] = []

    private let params: [Net.LearnableParam]
    private var history: [[Float]]
    private var history2: [[Float]]

    /// - Throws: `NNError.invalidSolver` for an unknown type or policy, or a shape error from weight sharing.
    public init(definition: SolverDefinition, trainNet: Net, testNet: Net? = nil) throws {
        guard definition.iterSize >= 1 else { throw NNError.invalidSolver(hint: "iter_size must be >= 1") }
        guard ["L1", "L2"].contains(definition.regularizationType.uppercased()) else {
            throw NNError.invalidSolver(hint: "regularization_type must be L1 or L2")
        }
        _ = try definition.learningRate(at: 0)
        self.definition = definition
        self.rule = try UpdateRule(solverType: definition.type)
        self.trainNet = trainNet
        self.testNet = testNet
        try testNet?.shareParams(with: trainNet)
        params = trainNet.learnableParams
        history = params.map { [Float](repeating: 0, count: $0.blob.count) }
        history2 = rule.usesSecondHistory ? history : []
    }

    /// The learning rate for the current iteration.
    public var learningRate: Float { (try? definition.learningRate(at: iteration)) ?? definition.baseLR }

    // MARK: Training

    /// One iteration on one batch (`iter_size` must be 1). Returns the loss of the batch (before the update).
    @discardableResult
    public func step(batch: (data: Tensor, label: Tensor)) throws -> Float {
        try step(batches: [batch])
    }

    /// One iteration accumulating gradients over `iter_size` batches. Returns their mean loss.
    @discardableResult
    public func step(batches: [(data: Tensor, label: Tensor)]) throws -> Float {
        guard batches.count == definition.iterSize else {
            throw NNError.invalidSolver(hint: "iter_size is \(definition.iterSize) but \(batches.count) batches were given")
        }
        trainNet.clearParamDiffs()
        var loss: Float = 0
        for batch in batches {
            try trainNet.setInput(dataInput, batch.data)
            try trainNet.setInput(labelInput, batch.label)
            loss += try trainNet.forwardBackward()
        }
        try applyUpdate()
        iteration += 1
        return loss / Float(batches.count)
    }

    /// Runs `iterations` iterations from `source`, testing as Caffe does (every `test_interval`, and at
    /// iteration 0 if `test_initialization`). Returns the training losses.
    public func step(_ iterations: Int, source: BatchSource) throws -> [Float] {
        var losses: [Float] = []
        for _ in 0..<iterations {
            if let testNet, definition.testInterval > 0, iteration % definition.testInterval == 0,
               iteration > 0 || definition.testInitialization {
                let result = try test(net: testNet, source: source)
                testResults.append((iteration, result))
                log?("Iteration \(iteration), Testing net: loss = \(result.loss), outputs = \(result.outputs)")
            }
            let batches = try (0..<definition.iterSize).map { _ in try source.nextBatch(for: .train) }
            let loss = try step(batches: batches)
            losses.append(loss)
            if definition.display > 0, iteration % definition.display == 0 {
                log?("Iteration \(iteration), loss = \(loss), lr = \(learningRate)")
            }
        }
        return losses
    }

    /// Trains until `max_iter`, then tests once more if `max_iter` falls on a test interval (as Caffe does).
    public func solve(source: BatchSource) throws {
        _ = try step(max(0, definition.maxIter - iteration), source: source)
        if let testNet, definition.testInterval > 0, iteration % definition.testInterval == 0 {
            let result = try test(net: testNet, source: source)
            testResults.append((iteration, result))
            log?("Iteration \(iteration), Testing net: loss = \(result.loss), outputs = \(result.outputs)")
        }
    }

    private func applyUpdate() throws {
        let rate = try definition.learningRate(at: iteration)
        clipGradients()
        let norm = 1 / Float(definition.iterSize), l1 = definition.regularizationType.uppercased() == "L1"
        for (k, param) in params.enumerated() {
            let blob = param.blob
            var g = blob.diff
            let w = blob.data, decay = definition.weightDecay * param.spec.decayMult
            for i in g.indices {
                g[i] *= norm
                if decay != 0 { g[i] += decay * (l1 ? (w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)) : w[i]) }
            }
            var second = rule.usesSecondHistory ? history2[k] : []
            rule.computeStep(&g, history: &history[k], history2: &second, rate: rate * param.spec.lrMult,
                             iteration: iteration, solver: definition)
            if rule.usesSecondHistory { history2[k] = second }
            blob.diff = g
            blob.data.withUnsafeMutableBufferPointer { w in for i in 0..<w.count { w[i] -= g[i] } }
        }
    }

    /// Scales all gradients by `clip / ||g||` when their global L2 norm exceeds `clip_gradients` (> 0).
    private func clipGradients() {
        let clip = definition.clipGradients
        guard clip > 0 else { return }
        var sumSquares: Double = 0
        for param in params { for g in param.blob.diff { sumSquares += Double(g) * Double(g) } }
        let norm = Float(sumSquares.squareRoot())
        guard norm > clip else { return }
        let scale = clip / norm
        log?("Gradient clipping: scaling down gradients (L2 norm \(norm) > \(clip)) by scale factor \(scale)")
        for param in params { param.blob.diff = param.blob.diff.map { $0 * scale } }
    }

    // MARK: Testing

    /// Mean outputs of a test phase.
    public struct TestResult: Equatable, Sendable {
        /// Mean of each net output (blobs no layer reads, e.g. "accuracy", "loss") over the batches.
        public var outputs: [String: Float]
        /// Mean weighted loss.
        public var loss: Float
        /// The first Accuracy layer's mean output, if the net has one.
        public var accuracy: Float?
    }

    /// Runs `iterations` (default `test_iter[0]`) TEST batches through the test net.
    public func test(source: BatchSource, iterations: Int? = nil) throws -> TestResult {
        guard let testNet else { throw NNError.invalidSolver(hint: "the solver has no test net") }
        return try test(net: testNet, source: source, iterations: iterations)
    }

    private func test(net: Net, source: BatchSource, iterations: Int? = nil) throws -> TestResult {
        let count = iterations ?? definition.testIter.first ?? 1
        let outputs = net.outputNames
        var sums = [String: Double](), loss: Double = 0
        for _ in 0..<max(1, count) {
            let batch = try source.nextBatch(for: .test)
            try net.setInput(dataInput, batch.data)
            try net.setInput(labelInput, batch.label)
            loss += Double(try net.forward())
            for name in outputs {
                sums[name, default: 0] += Double(net.blob(name)!.data.reduce(0, +))
            }
        }
        let n = Double(max(1, count))
        let means = sums.mapValues { Float($0 / n) }
        let accuracyTop = net.layers.first { $0 is Accuracy }?.definition.tops.first
        return TestResult(outputs: means, loss: Float(loss / n), accuracy: accuracyTop.flatMap { means[$0] })
    }

    // MARK: State

    /// The state to save for resuming (weights are saved separately with `Net.weights()`).
    public var state: SolverState {
        SolverState(iteration: iteration,
                    history: zip(params, history).map { Tensor(shape: $0.blob.shape, data: $1) },
                    history2: rule.usesSecondHistory ? zip(params, history2).map { Tensor(shape: $0.blob.shape, data: $1) } : [],
                    randomState: trainNet.random.generator.state)
    }

    /// Restores a saved state.
    /// - Throws: `NNError.invalidSolver` if the histories do not match this net's parameters.
    public func restore(_ state: SolverState) throws {
        guard state.history.count == params.count,
              zip(state.history, params).allSatisfy({ $0.count == $1.blob.count }),
              !rule.usesSecondHistory || (state.history2.count == params.count
                  && zip(state.history2, params).allSatisfy({ $0.count == $1.blob.count }))
        else {
            throw NNError.invalidSolver(hint: "the saved state was made for another net or solver type (\(state.history.count) histories, \(params.count) parameters)")
        }
        iteration = state.iteration
        history = state.history.map(\.data)
        if rule.usesSecondHistory { history2 = state.history2.map(\.data) }
        trainNet.random.generator.state = state.randomState
    }
}
