import Foundation
import Testing
@testable import MitosisNN

/// A one-layer net whose gradient is known in closed form: z = W x + b, softmax loss.
/// dL/dW = (softmax(z) - onehot(label)) x^T, dL/db = softmax(z) - onehot(label).
struct LinearProblem {
    var w: [Double] = [0.1, -0.2, 0.3, 0.4]  // (2 outputs, 2 inputs)
    var b: [Double] = [0.05, -0.05]
    let x: [Double] = [1, 2]
    let label = 1

    func gradients() -> (w: [Double], b: [Double]) {
        let z = (0..<2).map { o in w[o * 2] * x[0] + w[o * 2 + 1] * x[1] + b[o] }
        let e = z.map { exp($0 - z.max()!) }
        let dz = (0..<2).map { e[$0] / (e[0] + e[1]) - ($0 == label ? 1 : 0) }
        return ((0..<4).map { dz[$0 / 2] * x[$0 % 2] }, dz)
    }

    static func net() throws -> Net {
        var def = NetDefinition(name: "linear")
        var input = LayerDefinition(name: "input", type: "Input", tops: ["data", "label"])
        input.inputShapes = [[1, 2], [1]]
        var ip = NetFixtures.ip("ip", "data", outputs: 2)
        ip.params = [ParamSpec(lrMult: 1, decayMult: 1), ParamSpec(lrMult: 2, decayMult: 0)]
        def.layers = [input, ip, NetFixtures.loss("ip")]
        let net = try Net(definition: def, phase: .train)
        let p = LinearProblem()
        try net.setParams([Tensor(shape: [2, 2], data: p.w.map(Float.init)), Tensor(shape: [2], data: p.b.map(Float.init))], of: "ip")
        return net
    }

    var batch: (data: Tensor, label: Tensor) {
        (Tensor(shape: [1, 2], data: x.map(Float.init)), Tensor(shape: [1], data: [Float(label)]))
    }
}

@Suite struct SolverTests {
    static let rules = ["SGD", "NESTEROV", "ADAGRAD", "RMSPROP", "ADAM"]

    /// Two solver steps against the update rules written out here, independently of `UpdateRule`.
    @Test(arguments: rules) func updateRuleKnownAnswer(type: String) throws {
        var s = SolverDefinition()
        s.type = type
        s.baseLR = 0.1
        s.momentum = type == "ADAM" ? 0.9 : 0.8
        s.momentum2 = 0.999
        s.rmsDecay = 0.9
        s.weightDecay = 0.01
        s.delta = 1e-8
        let solver = try Solver(definition: s, trainNet: try LinearProblem.net())
        var p = LinearProblem()
        var h1 = [Double](repeating: 0, count: 6), h2 = h1
        for iteration in 0..<2 {
            try solver.step(batch: p.batch)
            let (gw, gb) = p.gradients()
            var params = p.w + p.b
            let grads = gw + gb
            for i in 0..<6 {
                let isBias = i >= 4
                let rate = 0.1 * (isBias ? 2 : 1), decay = isBias ? 0 : 0.01
                let g = grads[i] + decay * params[i]
                let m = Double(s.momentum)
                switch type {
                case "SGD":
                    h1[i] = m * h1[i] + rate * g
                    params[i] -= h1[i]
                case "NESTEROV":
                    let previous = h1[i]
                    h1[i] = m * h1[i] + rate * g
                    params[i] -= (1 + m) * h1[i] - m * previous
                case "ADAGRAD":
                    h1[i] += g * g
                    params[i] -= rate * g / (h1[i].squareRoot() + 1e-8)
                case "RMSPROP":
                    h1[i] = 0.9 * h1[i] + 0.1 * g * g
                    params[i] -= rate * g / (h1[i].squareRoot() + 1e-8)
                default:  // ADAM
                    let t = Double(iteration + 1)
                    h1[i] = 0.9 * h1[i] + 0.1 * g
                    h2[i] = 0.999 * h2[i] + 0.001 * g * g
                    params[i] -= rate * (1 - pow(0.999, t)).squareRoot() / (1 - pow(0.9, t)) * h1[i] / (h2[i].squareRoot() + 1e-8)
                }
            }
            p.w = Array(params[0..<4])
            p.b = Array(params[4...])
            let got = solver.trainNet.params(of: "ip")
            #expect(maxRelativeError(got[0].data, p.w.map(Float.init)) < 1e-5, "\(type) step \(iteration)")
            #expect(maxRelativeError(got[1].data, p.b.map(Float.init)) < 1e-5, "\(type) step \(iteration)")
        }
        #expect(solver.iteration == 2)
    }

    @Test func adaGradFirstStepIsAboutTheRate() throws {
        // h = g^2, so the first step is rate * g / (|g| + delta) ~ rate * sign(g): a number to check by eye.
        var s = SolverDefinition()
        s.type = "ADAGRAD"
        s.baseLR = 0.001
        let solver = try Solver(definition: s, trainNet: try LinearProblem.net())
        let before = solver.trainNet.params(of: "ip")
        try solver.step(batch: LinearProblem().batch)
        let after = solver.trainNet.params(of: "ip")
        let (gw, gb) = LinearProblem().gradients()
        for i in 0..<4 { #expect(abs(Double(before[0].data[i] - after[0].data[i]) - 0.001 * (gw[i] > 0 ? 1 : -1)) < 1e-7) }
        for i in 0..<2 { #expect(abs(Double(before[1].data[i] - after[1].data[i]) - 0.002 * (gb[i] > 0 ? 1 : -1)) < 1e-7) }
    }

    @Test func l1RegularisationAndClipping() throws {
        var s = SolverDefinition()
        s.baseLR = 1
        s.weightDecay = 0.1
        s.regularizationType = "L1"
        s.clipGradients = 0.01
        let solver = try Solver(definition: s, trainNet: try LinearProblem.net())
        try solver.step(batch: LinearProblem().batch)
        let p = LinearProblem()
        let (gw, gb) = p.gradients()
        let norm = (gw + gb).reduce(0) { $0 + $1 * $1 }.squareRoot()
        let scale = 0.01 / norm  // clipping happens before regularisation, as in Caffe
        let w = (0..<4).map { p.w[$0] - (gw[$0] * scale + 0.1 * (p.w[$0] > 0 ? 1 : -1)) }
        let b = (0..<2).map { p.b[$0] - 2 * gb[$0] * scale }
        #expect(maxRelativeError(solver.trainNet.params(of: "ip")[0].data, w.map(Float.init)) < 1e-6)
        #expect(maxRelativeError(solver.trainNet.params(of: "ip")[1].data, b.map(Float.init)) < 1e-6)
    }

    @Test func iterSizeAccumulatesLikeOneBigBatch() throws {
        let batch = NetFixtures.toyBatch(batch: 4, seed: 3)
        var s = SolverDefinition()
        s.baseLR = 0.1
        s.momentum = 0.9
        let big = try Solver(definition: s, trainNet: Net(definition: NetFixtures.toy(batch: 4), phase: .train, seed: 1))
        try big.step(batch: batch)
        s.iterSize = 2
        let halves = try Solver(definition: s, trainNet: Net(definition: NetFixtures.toy(batch: 2), phase: .train, seed: 1))
        let first = (Tensor(shape: [2, 1, 8, 8], data: Array(batch.data.data[..<128])), Tensor(shape: [2], data: Array(batch.label.data[..<2])))
        let second = (Tensor(shape: [2, 1, 8, 8], data: Array(batch.data.data[128...])), Tensor(shape: [2], data: Array(batch.label.data[2...])))
        try halves.step(batches: [first, second])
        for layer in ["conv1", "ip1"] {
            for (a, b) in zip(big.trainNet.params(of: layer), halves.trainNet.params(of: layer)) {
                #expect(maxRelativeError(a.data, b.data) < 1e-5)
            }
        }
    }

    @Test func learningRatePolicies() throws {
        var s = SolverDefinition()
        s.baseLR = 0.1
        func rate(_ policy: String, _ iter: Int, _ configure: (inout SolverDefinition) -> Void) throws -> Float {
            var d = s
            d.lrPolicy = policy
            configure(&d)
            return try d.learningRate(at: iter)
        }
        #expect(try rate("fixed", 1000) { _ in } == 0.1)
        #expect(abs(try rate("step", 25) { $0.gamma = 0.5; $0.stepSize = 10 } - 0.025) < 1e-7)
        #expect(abs(try rate("exp", 2) { $0.gamma = 0.9 } - 0.081) < 1e-7)
        #expect(abs(try rate("inv", 3) { $0.gamma = 0.1; $0.power = 0.5 } - Float(0.1 / 1.3.squareRoot())) < 1e-7)
        #expect(abs(try rate("multistep", 4) { $0.gamma = 0.1; $0.stepValues = [5, 10] } - 0.1) < 1e-7)
        #expect(abs(try rate("multistep", 10) { $0.gamma = 0.1; $0.stepValues = [5, 10] } - 0.001) < 1e-8)
        #expect(abs(try rate("poly", 5) { $0.power = 2; $0.maxIter = 10 } - 0.025) < 1e-7)
        #expect(throws: NNError.self) { try rate("cosine", 1) { _ in } }
        s.type = "ADADELTA"
        #expect(throws: NNError.self) { try Solver(definition: s, trainNet: try LinearProblem.net()) }
    }
}

@Suite struct TrainingTests {
    final class ToySource: BatchSource {
        var trainCount: UInt64, testCount: UInt64 = 0
        let batch: Int
        init(batch: Int, start: UInt64 = 0) { self.batch = batch; trainCount = start }
        func nextBatch(for phase: Phase) throws -> (data: Tensor, label: Tensor) {
            switch phase {
            case .train: trainCount += 1; return NetFixtures.toyBatch(batch: batch, seed: trainCount)
            case .test: testCount += 1; return NetFixtures.toyBatch(batch: batch, seed: 1_000_000 + testCount % 2)
            }
        }
    }

    @Test func toyProblemLossFallsAccuracyRises() throws {
        var s = SolverDefinition()
        s.type = "SGD"
        s.baseLR = 0.05
        s.momentum = 0.9
        s.weightDecay = 0.0005
        s.testIter = [2]
        s.testInterval = 60
        let solver = try Solver(definition: s,
                                trainNet: Net(definition: NetFixtures.toy(batch: 16), phase: .train, seed: 7),
                                testNet: Net(definition: NetFixtures.toy(batch: 16), phase: .test))
        let losses = try solver.step(61, source: ToySource(batch: 16))
        let early = losses.prefix(10).reduce(0, +) / 10, late = losses.suffix(10).reduce(0, +) / 10
        #expect(late < 0.5 * early, "loss \(early) -> \(late)")
        #expect(solver.testResults.map(\.iteration) == [0, 60])
        let before = try #require(solver.testResults.first?.result.accuracy)
        let after = try #require(solver.testResults.last?.result.accuracy)
        #expect(after >= 0.9 && after > before, "accuracy \(before) -> \(after)")
        #expect(abs(solver.testResults.last!.result.outputs["loss"]! - solver.testResults.last!.result.loss) < 1e-6)
    }

    /// Save weights + solver state mid-run, continue; a fresh solver restored from them repeats the losses exactly.
    @Test(arguments: ["ADAGRAD", "ADAM"]) func saveRestoreResumesIdentically(type: String) throws {
        var s = SolverDefinition()
        s.type = type
        s.baseLR = 0.01
        s.momentum = 0.9
        s.weightDecay = 0.004
        func makeSolver(seed: UInt64) throws -> Solver {
            try Solver(definition: s, trainNet: Net(definition: NetFixtures.toy(batch: 4, dropout: true), phase: .train, seed: seed))
        }
        let first = try makeSolver(seed: 1)
        _ = try first.step(3, source: ToySource(batch: 4))
        let weights = first.trainNet.weights()
        let saved = try JSONEncoder().encode(first.state)
        let continued = try first.step(4, source: ToySource(batch: 4, start: 3))

        let second = try makeSolver(seed: 99)
        try second.trainNet.loadWeights(weights)
        try second.restore(JSONDecoder().decode(SolverState.self, from: saved))
        #expect(second.iteration == 3)
        let resumed = try second.step(4, source: ToySource(batch: 4, start: 3))
        #expect(resumed == continued)
        #expect(second.state == first.state)
    }

    @Test func solveRunsToMaxIterAndTestsAtTheEnd() throws {
        var s = SolverDefinition()
        s.maxIter = 4
        s.testInterval = 2
        s.testIter = [1]
        s.testInitialization = false
        var lines: [String] = []
        let solver = try Solver(definition: s,
                                trainNet: Net(definition: NetFixtures.toy(batch: 2), phase: .train),
                                testNet: Net(definition: NetFixtures.toy(batch: 2), phase: .test))
        solver.log = { lines.append($0) }
        try solver.solve(source: ToySource(batch: 2))
        #expect(solver.iteration == 4)
        #expect(solver.testResults.map(\.iteration) == [2, 4])
        #expect(lines.count == 2)
    }

    @Test func caffeHistoryRoundTrip() {
        let m = [Tensor(shape: [2], fill: 1), Tensor(shape: [1], fill: 2)], v = [Tensor(shape: [2], fill: 3), Tensor(shape: [1], fill: 4)]
        let adam = SolverState(iteration: 5, history: m, history2: v, randomState: 7)
        #expect(SolverState(iteration: 5, caffeHistory: adam.caffeHistory, parameterCount: 2, randomState: 7) == adam)
        let sgd = SolverState(iteration: 5, history: m, history2: [], randomState: 0)
        #expect(SolverState(iteration: 5, caffeHistory: sgd.caffeHistory, parameterCount: 2) == sgd)
    }

    @Test func restoreRejectsForeignState() throws {
        let solver = try Solver(definition: SolverDefinition(), trainNet: try LinearProblem.net())
        #expect(throws: NNError.self) {
            try solver.restore(SolverState(iteration: 1, history: [Tensor(shape: [3])], history2: [], randomState: 0))
        }
    }
}
