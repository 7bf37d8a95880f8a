import MitosisNN

extension SolverStateFile {
    /// The Caffe snapshot of the engine's `state`: Adam's second moments follow the first in `history`, as
    /// Caffe's `AdamSolver` stores them. The random generator's state has no place in the Caffe format and
    /// is not written (mitosis keeps it in its own sidecar if it needs bit-exact resumption).
    public init(_ state: SolverState, learnedNet: String, currentStep: Int = 0) {
        self.init(iteration: state.iteration, learnedNet: learnedNet, history: state.caffeHistory, currentStep: currentStep)
    }

    /// The engine's state; `parameterCount` (the net's learnable blobs) tells Adam's two history halves apart.
    public func solverState(parameterCount: Int, randomState: UInt64 = 0) -> SolverState {
        SolverState(iteration: iteration, caffeHistory: history, parameterCount: parameterCount, randomState: randomState)
    }
}
