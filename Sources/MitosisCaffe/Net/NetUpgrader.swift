/// Brings old Caffe nets up to the current `layer { type: "..." }` form. This is the one place where old
/// formats are handled (as Caffe's own `upgrade_proto.cpp`); everything downstream sees current nets only.
///
/// Upgrades, in the order Caffe applies them:
/// - V1 `layers { type: CONVOLUTION blobs_lr: 1 weight_decay: 1 }` -> `layer { type: "Convolution"
///   param { lr_mult: 1 decay_mult: 1 } }` (blobs, include/exclude, loss weights and parameters carried over);
/// - data-transformation fields in `data_param` (`mean_file`, `crop_size`, `mirror`, `scale`) ->
///   `transform_param`;
/// - 4-D `input_dim` -> `input_shape`.
/// V0 nets (pre-2014 `layers { layer { ... } }`) are not supported.
public enum NetUpgrader {
    /// `net` with every old construct rewritten; current nets come back unchanged.
    /// - Throws: `CaffeFormatError.unsupported` for a net that mixes `layer` and `layers`.
    public static func upgrade(_ net: Caffe_NetParameter, path: String) throws -> Caffe_NetParameter {
        var net = net
        if !net.layers.isEmpty {
            guard net.layer.isEmpty else {
                throw CaffeFormatError.unsupported(
                    path: path, layer: net.layers[0].name, feature: "both `layer` and V1 `layers` in one net")
            }
            net.layer = net.layers.map(upgradeV1)
            net.layers = []
        }
        for index in net.layer.indices { upgradeDataTransformation(&net.layer[index]) }
        try upgradeInputDimensions(&net, path: path)
        return net
    }

    /// Caffe's V1 enum names and their current type strings.
    static let v1TypeNames: [Caffe_V1LayerParameter.LayerType: String] = [
        .absval: "AbsVal", .accuracy: "Accuracy", .argmax: "ArgMax", .bnll: "BNLL", .concat: "Concat",
        .contrastiveLoss: "ContrastiveLoss", .convolution: "Convolution", .data: "Data",
        .deconvolution: "Deconvolution", .dropout: "Dropout", .dummyData: "DummyData",
        .euclideanLoss: "EuclideanLoss", .eltwise: "Eltwise", .exp: "Exp", .flatten: "Flatten",
        .hdf5Data: "HDF5Data", .hdf5Output: "HDF5Output", .hingeLoss: "HingeLoss", .im2Col: "Im2col",
        .imageData: "ImageData", .infogainLoss: "InfogainLoss", .innerProduct: "InnerProduct", .lrn: "LRN",
        .memoryData: "MemoryData", .multinomialLogisticLoss: "MultinomialLogisticLoss", .mvn: "MVN",
        .pooling: "Pooling", .power: "Power", .relu: "ReLU", .sigmoid: "Sigmoid",
        .sigmoidCrossEntropyLoss: "SigmoidCrossEntropyLoss", .silence: "Silence", .softmax: "Softmax",
        .softmaxLoss: "SoftmaxWithLoss", .split: "Split", .slice: "Slice", .tanh: "TanH",
        .windowData: "WindowData", .threshold: "Threshold",
    ]

    /// One V1 layer in current form.
    static func upgradeV1(_ v1: Caffe_V1LayerParameter) -> Caffe_LayerParameter {
        var layer = Caffe_LayerParameter()
        if v1.hasName { layer.name = v1.name }
        layer.bottom = v1.bottom
        layer.top = v1.top
        layer.include = v1.include
        layer.exclude = v1.exclude
        if v1.hasType { layer.type = v1TypeNames[v1.type] ?? "\(v1.type)" }
        layer.blobs = v1.blobs
        let specCount = max(v1.param.count, v1.blobsLr.count, v1.weightDecay.count)
        layer.param = (0..<specCount).map { index in
            var spec = Caffe_ParamSpec()
            if index < v1.param.count { spec.name = v1.param[index] }
            if index < v1.blobShareMode.count {
                spec.shareMode = v1.blobShareMode[index] == .strict ? .strict : .permissive
            }
            if index < v1.blobsLr.count { spec.lrMult = v1.blobsLr[index] }
            if index < v1.weightDecay.count { spec.decayMult = v1.weightDecay[index] }
            return spec
        }
        layer.lossWeight = v1.lossWeight
        if v1.hasAccuracyParam { layer.accuracyParam = v1.accuracyParam }
        if v1.hasConvolutionParam { layer.convolutionParam = v1.convolutionParam }
        if v1.hasDataParam { layer.dataParam = v1.dataParam }
        if v1.hasDropoutParam { layer.dropoutParam = v1.dropoutParam }
        if v1.hasInnerProductParam { layer.innerProductParam = v1.innerProductParam }
        if v1.hasPoolingParam { layer.poolingParam = v1.poolingParam }
        if v1.hasReluParam { layer.reluParam = v1.reluParam }
        if v1.hasSoftmaxParam { layer.softmaxParam = v1.softmaxParam }
        if v1.hasTransformParam { layer.transformParam = v1.transformParam }
        if v1.hasLossParam { layer.lossParam = v1.lossParam }
        return layer
    }

    /// Moves `data_param`'s deprecated transformation fields into `transform_param`.
    static func upgradeDataTransformation(_ layer: inout Caffe_LayerParameter) {
        guard layer.hasDataParam else { return }
        var data = layer.dataParam
        if data.hasScale { layer.transformParam.scale = data.scale; data.clearScale() }
        if data.hasMeanFile { layer.transformParam.meanFile = data.meanFile; data.clearMeanFile() }
        if data.hasCropSize { layer.transformParam.cropSize = data.cropSize; data.clearCropSize() }
        if data.hasMirror { layer.transformParam.mirror = data.mirror; data.clearMirror() }
        layer.dataParam = data
    }

    /// Rewrites `input_dim: N input_dim: C input_dim: H input_dim: W` (per input) as `input_shape`.
    static func upgradeInputDimensions(_ net: inout Caffe_NetParameter, path: String) throws {
        guard !net.inputDim.isEmpty else { return }
        guard net.inputShape.isEmpty, net.inputDim.count == 4 * net.input.count else {
            throw CaffeFormatError.unsupported(
                path: path, layer: "(net inputs)",
                feature: "\(net.inputDim.count) input_dim values for \(net.input.count) inputs (need 4 per input)")
        }
        net.inputShape = stride(from: 0, to: net.inputDim.count, by: 4).map { start in
            var shape = Caffe_BlobShape()
            shape.dim = net.inputDim[start..<start + 4].map(Int64.init)
            return shape
        }
        net.inputDim = []
    }
}
