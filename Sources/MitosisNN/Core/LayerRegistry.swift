/// Maps Caffe type strings to layer constructors (Caffe's `LayerRegistry`).
public enum LayerRegistry {
    /// Builds a layer from its definition.
    public typealias Constructor = (LayerDefinition, LayerContext) throws -> any Layer

    /// The built-in layers, by Caffe `type:`.
    nonisolated(unsafe) public static var constructors: [String: Constructor] = [
        "Convolution": { try Convolution(definition: $0, context: $1) },
        "Pooling": { try Pooling(definition: $0, context: $1) },
        "ReLU": { ReLU(definition: $0, context: $1) },
        "InnerProduct": { try InnerProduct(definition: $0, context: $1) },
        "Dropout": { try Dropout(definition: $0, context: $1) },
        "Softmax": { Softmax(definition: $0, context: $1) },
        "SoftmaxWithLoss": { SoftmaxWithLoss(definition: $0, context: $1) },
        "Accuracy": { Accuracy(definition: $0, context: $1) },
        "Input": { Input(definition: $0, context: $1) },
        "Data": { Input(definition: $0, context: $1) },
        "Split": { Split(definition: $0, context: $1) },
    ]

    /// Builds the layer for `definition`.
    /// - Throws: `NNError.unknownLayerType` naming the layer and the known types.
    public static func make(_ definition: LayerDefinition, context: LayerContext) throws -> any Layer {
        guard let make = constructors[definition.type] else {
            throw NNError.unknownLayerType(
                layer: definition.name, type: definition.type,
                hint: "known types: \(constructors.keys.sorted().joined(separator: ", ")); V1 names (CONVOLUTION...) must be upgraded by the importer")
        }
        return try make(definition, context)
    }
}
