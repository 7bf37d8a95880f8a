/// Everything besides the weights that a solver needs to resume training exactly (Caffe's `SolverState`):
/// restore the weights (`Net.loadWeights`) and this, feed the same batches, and the losses repeat.
public struct SolverState: Codable, Equatable, Sendable {
    /// Iterations done.
    public var iteration: Int
    /// Per learnable parameter (in `Net.learnableParams` order): momentum (SGD, Nesterov), squared-gradient
    /// sum (AdaGrad), running mean square (RMSProp) or first moment (Adam).
    public var history: [Tensor]
    /// Adam's second moments; empty for the other solvers.
    public var history2: [Tensor]
    /// The train net's random generator (dropout masks).
    public var randomState: UInt64

    /// A state from its parts (Caffe's Adam `.solverstate` stores `history + history2` in one list).
    public init(iteration: Int, history: [Tensor], history2: [Tensor], randomState: UInt64) {
        self.iteration = iteration
        self.history = history
        self.history2 = history2
        self.randomState = randomState
    }

    /// Caffe's single `history` list (`.solverstate`): `history`, then Adam's `history2`.
    public var caffeHistory: [Tensor] { history + history2 }

    /// A state from Caffe's single history list; when it holds two blobs per parameter (Adam), the second
    /// half becomes `history2`.
    public init(iteration: Int, caffeHistory: [Tensor], parameterCount: Int, randomState: UInt64 = 0) {
        let split = caffeHistory.count == 2 * parameterCount ? parameterCount : caffeHistory.count
        self.init(iteration: iteration, history: Array(caffeHistory[..<split]),
                  history2: Array(caffeHistory[split...]), randomState: randomState)
    }
}
