import Foundation

extension SolverDefinition {
    /// Caffe's learning rate at `iteration` for `lr_policy`:
    /// fixed `base_lr`; step `base_lr * gamma^floor(iter/stepsize)`; exp `base_lr * gamma^iter`;
    /// inv `base_lr * (1 + gamma*iter)^-power`; multistep `base_lr * gamma^(number of stepvalues <= iter)`;
    /// poly `base_lr * (1 - iter/max_iter)^power`; sigmoid `base_lr / (1 + exp(-gamma*(iter - stepsize)))`.
    /// - Throws: `NNError.invalidSolver` for an unknown policy or a zero step size.
    public func learningRate(at iteration: Int) throws -> Float {
        let lr = Double(baseLR), g = Double(gamma), it = Double(iteration)
        switch lrPolicy.lowercased() {
        case "fixed":
            return baseLR
        case "step":
            guard stepSize > 0 else { throw NNError.invalidSolver(hint: "lr_policy step needs stepsize > 0") }
            return Float(lr * pow(g, Double(iteration / stepSize)))
        case "exp":
            return Float(lr * pow(g, it))
        case "inv":
            return Float(lr * pow(1 + g * it, -Double(power)))
        case "multistep":
            return Float(lr * pow(g, Double(stepValues.filter { iteration >= $0 }.count)))
        case "poly":
            guard maxIter > 0 else { throw NNError.invalidSolver(hint: "lr_policy poly needs max_iter > 0") }
            return Float(lr * pow(max(0, 1 - it / Double(maxIter)), Double(power)))
        case "sigmoid":
            return Float(lr / (1 + exp(-g * (it - Double(stepSize)))))
        default:
            throw NNError.invalidSolver(hint: "unknown lr_policy '\(lrPolicy)'; use fixed, step, exp, inv, multistep, poly or sigmoid")
        }
    }
}
