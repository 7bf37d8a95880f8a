import Foundation

/// Caffe's per-parameter update rules. Each takes the (regularised) gradient `g` in place and turns it
/// into the step that is then subtracted from the weights; `rate` is `lr * lr_mult`.
public enum UpdateRule: String, Sendable, CaseIterable {
    case sgd = "SGD", nesterov = "NESTEROV", adaGrad = "ADAGRAD", rmsProp = "RMSPROP", adam = "ADAM"

    /// - Throws: `NNError.invalidSolver` for an unsupported `type`.
    public init(solverType: String) throws {
        guard let rule = UpdateRule(rawValue: solverType.uppercased()) else {
            throw NNError.invalidSolver(hint: "solver type '\(solverType)' is not supported; use SGD, NESTEROV, ADAGRAD, RMSPROP or ADAM")
        }
        self = rule
    }

    /// Turns gradient `g` into the step, updating the histories.
    /// - SGD: `h = momentum*h + rate*g; step = h`.
    /// - Nesterov: `h' = momentum*h + rate*g; step = (1+momentum)*h' - momentum*h`.
    /// - AdaGrad: `h += g*g; step = rate*g / (sqrt(h) + delta)`.
    /// - RMSProp: `h = decay*h + (1-decay)*g*g; step = rate*g / (sqrt(h) + delta)`.
    /// - Adam (t = iteration + 1): `m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
    ///   step = rate * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + delta)`.
    func computeStep(_ g: inout [Float], history h: inout [Float], history2 v: inout [Float], rate: Float,
                     iteration: Int, solver s: SolverDefinition) {
        let momentum = s.momentum, delta = s.delta
        switch self {
        case .sgd:
            for i in g.indices { h[i] = momentum * h[i] + rate * g[i]; g[i] = h[i] }
        case .nesterov:
            for i in g.indices {
                let previous = h[i]
                h[i] = momentum * h[i] + rate * g[i]
                g[i] = (1 + momentum) * h[i] - momentum * previous
            }
        case .adaGrad:
            for i in g.indices { h[i] += g[i] * g[i]; g[i] = rate * g[i] / (h[i].squareRoot() + delta) }
        case .rmsProp:
            let decay = s.rmsDecay
            for i in g.indices {
                h[i] = decay * h[i] + (1 - decay) * g[i] * g[i]
                g[i] = rate * g[i] / (h[i].squareRoot() + delta)
            }
        case .adam:
            let b1 = momentum, b2 = s.momentum2, t = Double(iteration + 1)
            let correction = Float((1 - pow(Double(b2), t)).squareRoot() / (1 - pow(Double(b1), t)))
            for i in g.indices {
                h[i] = b1 * h[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                g[i] = rate * correction * h[i] / (v[i].squareRoot() + delta)
            }
        }
    }

    /// Whether the rule keeps a second history (Adam).
    var usesSecondHistory: Bool { self == .adam }
}
