import Foundation
import MitosisNN

/// Reads Caffe solver prototxts (`SolverParameter`) into the engine's `SolverDefinition`.
///
/// The solver kind comes from `type` ("AdaGrad", ...) or, in old files like the tutorial's, from
/// `solver_type: ADAGRAD`; it is reported upper-case. Ignored: `solver_mode` and `device_id` (mitosis runs
/// on the CPU), snapshot format, test-net lists other than the single `net` / `train_net`.
public enum SolverImporter {
    /// Reads a solver prototxt, filling `%(name)d` placeholders (the tutorial's `kfoldi`, `numiter`).
    public static func read(contentsOf url: URL, substitutions: [String: String] = [:]) throws -> SolverDefinition {
        let solver = try PrototxtReader.read(Caffe_SolverParameter.self, contentsOf: url, substitutions: substitutions)
        return try definition(of: solver, path: url.path)
    }

    /// Parses solver prototxt text; `path` is only used in errors.
    public static func parse(_ text: String, path: String = "<solver>", substitutions: [String: String] = [:])
        throws -> SolverDefinition
    {
        let solver = try PrototxtReader.parse(
            Caffe_SolverParameter.self, text: text, path: path, substitutions: substitutions)
        return try definition(of: solver, path: path)
    }

    /// Caffe's `type` strings by upper-cased spelling.
    static let typeNames = ["SGD", "NESTEROV", "ADAGRAD", "RMSPROP", "ADADELTA", "ADAM"]

    /// Maps a parsed `SolverParameter`.
    public static func definition(of p: Caffe_SolverParameter, path: String) throws -> SolverDefinition {
        var d = SolverDefinition()
        if p.hasType {
            guard typeNames.contains(p.type.uppercased()) else {
                throw CaffeFormatError.unsupported(path: path, layer: "(solver)", feature: "solver type '\(p.type)'")
            }
            d.type = p.type.uppercased()
        } else {
            d.type = solverTypeName(p.solverType)
        }
        if p.hasNetParam || p.hasTrainNetParam {
            throw CaffeFormatError.unsupported(
                path: path, layer: "(solver)", feature: "an inline net_param (put the net in its own file)")
        }
        d.net = p.hasNet ? p.net : p.trainNet
        d.baseLR = p.baseLr
        d.lrPolicy = p.hasLrPolicy ? p.lrPolicy : "fixed"
        d.gamma = p.gamma
        d.power = p.power
        d.stepSize = Int(p.stepsize)
        d.stepValues = p.stepvalue.map(Int.init)
        d.momentum = p.momentum
        d.momentum2 = p.momentum2
        d.rmsDecay = p.rmsDecay
        d.weightDecay = p.weightDecay
        d.regularizationType = p.regularizationType
        d.delta = p.delta
        d.maxIter = Int(p.maxIter)
        d.testIter = p.testIter.map(Int.init)
        d.testInterval = Int(p.testInterval)
        d.testInitialization = p.testInitialization
        d.display = Int(p.display)
        d.snapshot = Int(p.snapshot)
        d.snapshotPrefix = p.snapshotPrefix
        d.randomSeed = p.randomSeed
        d.iterSize = Int(p.iterSize)
        d.clipGradients = p.clipGradients
        return d
    }

    static func solverTypeName(_ type: Caffe_SolverParameter.SolverType) -> String {
        switch type {
        case .sgd: return "SGD"
        case .nesterov: return "NESTEROV"
        case .adagrad: return "ADAGRAD"
        case .rmsprop: return "RMSPROP"
        case .adadelta: return "ADADELTA"
        case .adam: return "ADAM"
        }
    }
}
