/// Everything a network definition, its inputs or imported weights can get wrong.
///
/// Each case names the layer (or blob) involved and carries a hint of what to do.
public enum NNError: Error, Equatable, CustomStringConvertible {
    /// The definition uses a layer type the registry does not know.
    case unknownLayerType(layer: String, type: String, hint: String)
    /// A layer reads a blob that no earlier layer (or net input) produces.
    case missingBottom(layer: String, bottom: String, hint: String)
    /// A layer's bottoms or parameters do not have the shapes it needs.
    case shapeMismatch(layer: String, expected: [Int], got: [Int], hint: String)
    /// The definition of a layer is inconsistent (missing parameter block, zero kernel, wrong bottom count...).
    case invalidDefinition(layer: String, hint: String)
    /// Layers with learnable parameters that a set of weights has no values for.
    case missingParams(layers: [String])
    /// A name was asked for that the net does not have.
    case unknownName(String, hint: String)
    /// Solver settings that cannot run.
    case invalidSolver(hint: String)

    public var description: String {
        switch self {
        case let .unknownLayerType(layer, type, hint):
            return "layer '\(layer)': unknown type '\(type)'. HINT: \(hint)"
        case let .missingBottom(layer, bottom, hint):
            return "layer '\(layer)': bottom '\(bottom)' is not produced by any earlier layer. HINT: \(hint)"
        case let .shapeMismatch(layer, expected, got, hint):
            return "layer '\(layer)': expected shape \(expected), got \(got). HINT: \(hint)"
        case let .invalidDefinition(layer, hint):
            return "layer '\(layer)': invalid definition. HINT: \(hint)"
        case let .missingParams(layers):
            return "no values for layer\(layers.count == 1 ? "" : "s") '\(layers.joined(separator: "', '"))' in the weights. HINT: they were trained for another net"
        case let .unknownName(name, hint):
            return "unknown name '\(name)'. HINT: \(hint)"
        case let .invalidSolver(hint):
            return "invalid solver settings. HINT: \(hint)"
        }
    }
}
