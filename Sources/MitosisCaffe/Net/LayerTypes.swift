/// The layer types mitosis implements, named as Caffe's current `type:` strings.
public enum LayerTypes {
    /// Every type the importer accepts; anything else is `CaffeFormatError.unknownLayerType`.
    public static let supported: Set<String> = [
        "Convolution", "Pooling", "ReLU", "InnerProduct", "Dropout", "Softmax", "SoftmaxWithLoss", "Accuracy",
        "Data", "Input",
    ]
}
