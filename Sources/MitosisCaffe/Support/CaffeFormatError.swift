import Foundation

/// Everything a user or the environment can get wrong when reading or writing Caffe and ONNX files.
///
/// Each case carries the file (and, where known, the line or layer) and its description ends with a hint.
public enum CaffeFormatError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)
    /// A `%(name)d` / `%(name)s` placeholder had no value.
    case missingSubstitution(path: String, name: String)
    /// A substitution value does not fit its placeholder (`%(name)d` needs an integer).
    case badSubstitution(path: String, name: String, value: String)
    /// Protobuf text format that does not parse against Caffe's schema.
    case textSyntax(path: String, line: Int?, reason: String)
    /// Protobuf binary data that does not decode.
    case malformedBinary(path: String, reason: String)
    /// A layer type the engine does not implement.
    case unknownLayerType(path: String, layer: String, type: String)
    /// A setting that is valid Caffe but that mitosis does not support.
    case unsupported(path: String, layer: String, feature: String)
    /// Blob contents that contradict their declared shape or the net.
    case badBlob(path: String, layer: String, reason: String)
    /// A `Datum` that cannot be turned into an image.
    case badDatum(reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason). HINT: check the path (reference files live in ../shared)."
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason). HINT: check that the folder exists and is writable."
        case let .missingSubstitution(path, name):
            return "\(path) uses the placeholder %(\(name))… but no value was given. "
                + "HINT: pass --set \(name)=VALUE."
        case let .badSubstitution(path, name, value):
            return "\(path): placeholder %(\(name))d needs an integer, got '\(value)'. HINT: pass --set \(name)=<integer>."
        case let .textSyntax(path, line, reason):
            let at = line.map { "\(path):\($0)" } ?? path
            return "\(at): not a valid Caffe prototxt (\(reason)). "
                + "HINT: check the field names and braces near that line against caffe.proto."
        case let .malformedBinary(path, reason):
            return "\(path): not a valid Caffe binary file (\(reason)). HINT: is it truncated, or a different format?"
        case let .unknownLayerType(path, layer, type):
            return "\(path): layer '\(layer)' has type '\(type)', which mitosis does not implement. "
                + "HINT: supported types are \(LayerTypes.supported.sorted().joined(separator: ", "))."
        case let .unsupported(path, layer, feature):
            return "\(path): layer '\(layer)' uses \(feature), which mitosis does not support. HINT: remove or rewrite it."
        case let .badBlob(path, layer, reason):
            return "\(path): layer '\(layer)': \(reason). HINT: do the weights belong to this network?"
        case let .badDatum(reason):
            return "bad Datum record: \(reason). HINT: was the database written by convert_imageset or mitosis?"
        }
    }
}
