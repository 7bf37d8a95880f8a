import Foundation
import MitosisNN
import SwiftProtobuf
import MitosisSupport

/// A solver snapshot in Caffe's `.solverstate` format: iteration, the caffemodel it goes with, and one
/// history blob per learnable parameter (AdaGrad's sum of squared gradients, SGD's momentum, ...), in the
/// net's parameter order.
///
/// Conversion to and from the engine's `SolverState` is in `SolverStateFile+SolverState.swift`.
public struct SolverStateFile: Sendable, Equatable {
    /// The iteration the snapshot was taken at.
    public var iteration: Int
    /// Path of the `.caffemodel` holding the weights (Caffe's `learned_net`).
    public var learnedNet: String
    /// One tensor per learnable blob, in the order of the net's parameters.
    public var history: [Tensor]
    /// The current step of the "multistep" learning-rate policy.
    public var currentStep: Int

    public init(iteration: Int, learnedNet: String = "", history: [Tensor], currentStep: Int = 0) {
        self.iteration = iteration
        self.learnedNet = learnedNet
        self.history = history
        self.currentStep = currentStep
    }

    /// Reads a `.solverstate` file.
    public init(contentsOf url: URL) throws {
        let data = try CaffeFiles.read(url)
        let state: Caffe_SolverState
        do {
            state = try Caffe_SolverState(serializedBytes: data)
        } catch {
            throw CaffeFormatError.malformedBinary(path: url.path, reason: "\(error)")
        }
        iteration = Int(state.iter)
        learnedNet = state.learnedNet
        currentStep = Int(state.currentStep)
        history = try state.history.enumerated().map {
            try BlobConversion.tensor(from: $1, path: url.path, layer: "(history blob \($0))")
        }
    }

    /// Writes the snapshot atomically.
    public func write(to url: URL) throws {
        var state = Caffe_SolverState()
        state.iter = Int32(clamping: iteration)
        state.learnedNet = learnedNet
        state.currentStep = Int32(clamping: currentStep)
        state.history = history.map { BlobConversion.blob(from: $0) }
        try AtomicFile.write(state.serializedData(), to: url)
    }
}
