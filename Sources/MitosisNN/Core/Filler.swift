/// Parameter initialisation with Caffe's filler definitions (`constant`, `gaussian`, `uniform`, `xavier`,
/// `msra`), drawn from a `SeededGenerator`.
///
/// Fan-in and fan-out follow Caffe: `fan_in = count / shape[0]`, `fan_out = count / shape[1]` (for a 1-D blob
/// fan_out = count). Departures from Caffe: the random numbers differ; gaussian's `sparse` is not supported.
public enum Filler {
    /// Fills `tensor` in place according to `definition`.
    /// - Throws: `NNError.invalidDefinition` for an unknown filler type.
    public static func fill(_ tensor: inout Tensor, with definition: FillerDefinition, layer: String = "",
                            generator: inout SeededGenerator) throws {
        tensor.data = try values(count: tensor.count, shape: tensor.shape, definition: definition, layer: layer,
                                 generator: &generator)
    }

    /// `count` values for a blob of `shape`.
    public static func values(count: Int, shape: [Int], definition: FillerDefinition, layer: String = "",
                              generator: inout SeededGenerator) throws -> [Float] {
        switch definition.type.lowercased() {
        case "constant":
            return [Float](repeating: definition.value, count: count)
        case "gaussian":
            return (0..<count).map { _ in generator.nextGaussian(mean: definition.mean, std: definition.std) }
        case "uniform":
            return (0..<count).map { _ in generator.nextUniform(definition.min, definition.max) }
        case "xavier":
            let scale = (3 / fanNorm(shape: shape, count: count, definition: definition)).squareRoot()
            return (0..<count).map { _ in generator.nextUniform(-scale, scale) }
        case "msra":
            let std = (2 / fanNorm(shape: shape, count: count, definition: definition)).squareRoot()
            return (0..<count).map { _ in generator.nextGaussian(mean: 0, std: std) }
        default:
            throw NNError.invalidDefinition(
                layer: layer, hint: "unknown filler '\(definition.type)'; use constant, gaussian, uniform, xavier or msra")
        }
    }

    /// Caffe's `n` for xavier / msra: fan_in, fan_out or their average.
    static func fanNorm(shape: [Int], count: Int, definition: FillerDefinition) -> Float {
        let fanIn = Float(count / Swift.max(shape.first ?? 1, 1))
        let fanOut = shape.count > 1 ? Float(count / Swift.max(shape[1], 1)) : Float(count)
        switch definition.varianceNorm.uppercased() {
        case "FAN_OUT": return fanOut
        case "AVERAGE": return (fanIn + fanOut) / 2
        default: return fanIn
        }
    }
}
