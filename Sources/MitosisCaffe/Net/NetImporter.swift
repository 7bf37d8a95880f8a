import Foundation
import MitosisNN

/// Turns Caffe net descriptions (prototxt, or the structure stored in a caffemodel) into the engine's
/// format-neutral `NetDefinition`.
///
/// Old syntax is first rewritten by `NetUpgrader`; this file only maps current Caffe semantics.
/// Departures from Caffe: include/exclude rules may only name a phase (no levels or stages); a layer's
/// `propagate_down`, `loss_param` and engine choices are ignored; pooling must use Caffe's default ceil
/// rounding.
public enum NetImporter {
    /// Reads a net prototxt (V1 or current syntax), filling `%(name)d` placeholders from `substitutions`.
    public static func read(contentsOf url: URL, substitutions: [String: String] = [:]) throws -> NetDefinition {
        let net = try PrototxtReader.read(Caffe_NetParameter.self, contentsOf: url, substitutions: substitutions)
        return try definition(of: net, path: url.path)
    }

    /// Parses net prototxt text; `path` is only used in errors.
    public static func parse(_ text: String, path: String = "<prototxt>", substitutions: [String: String] = [:])
        throws -> NetDefinition
    {
        let net = try PrototxtReader.parse(Caffe_NetParameter.self, text: text, path: path, substitutions: substitutions)
        return try definition(of: net, path: path)
    }

    /// Maps a (possibly V1) `NetParameter` to a `NetDefinition`.
    public static func definition(of net: Caffe_NetParameter, path: String) throws -> NetDefinition {
        let net = try NetUpgrader.upgrade(net, path: path)
        var definition = NetDefinition(name: net.name)
        definition.inputNames = net.input
        definition.inputShapes = net.inputShape.map { $0.dim.map { Int($0) } }
        guard definition.inputNames.count == definition.inputShapes.count else {
            throw CaffeFormatError.unsupported(
                path: path, layer: "(net inputs)",
                feature: "\(net.input.count) inputs with \(net.inputShape.count) shapes")
        }
        definition.layers = try net.layer.map { try layerDefinition($0, path: path) }
        return definition
    }

    /// One current-format layer.
    static func layerDefinition(_ layer: Caffe_LayerParameter, path: String) throws -> LayerDefinition {
        let name = layer.name
        guard LayerTypes.supported.contains(layer.type) else {
            throw CaffeFormatError.unknownLayerType(path: path, layer: name, type: layer.type)
        }
        var result = LayerDefinition(name: name, type: layer.type, bottoms: layer.bottom, tops: layer.top)
        result.phases = try phases(of: layer, path: path)
        result.params = layer.param.map { ParamSpec(lrMult: $0.lrMult, decayMult: $0.decayMult) }
        result.lossWeight = layer.lossWeight
        switch layer.type {
        case "Convolution":
            result.convolution = try LayerParameterMapping.convolution(layer.convolutionParam, layer: name, path: path)
        case "Pooling":
            result.pooling = try LayerParameterMapping.pooling(layer.poolingParam, layer: name, path: path)
        case "InnerProduct":
            result.innerProduct = try LayerParameterMapping.innerProduct(layer.innerProductParam, layer: name, path: path)
        case "ReLU":
            result.negativeSlope = layer.reluParam.negativeSlope
        case "Dropout":
            result.dropoutRatio = layer.dropoutParam.dropoutRatio
        case "Softmax", "SoftmaxWithLoss":
            result.axis = Int(layer.softmaxParam.axis)
        case "Accuracy":
            result.axis = Int(layer.accuracyParam.axis)
            result.topK = Int(layer.accuracyParam.topK)
        case "Data":
            result.data = LayerParameterMapping.data(layer.dataParam, transform: layer.transformParam)
        case "Input":
            result.inputShapes = layer.inputParam.shape.map { $0.dim.map { Int($0) } }
        default:
            break
        }
        return result
    }

    /// Include/exclude rules as the phases the layer runs in (empty = both).
    static func phases(of layer: Caffe_LayerParameter, path: String) throws -> [Phase] {
        guard !(layer.include.isEmpty && layer.exclude.isEmpty) else { return [] }
        guard layer.include.isEmpty || layer.exclude.isEmpty else {
            throw CaffeFormatError.unsupported(path: path, layer: layer.name, feature: "both include and exclude rules")
        }
        for rule in layer.include + layer.exclude
        where !rule.hasPhase || rule.hasMinLevel || rule.hasMaxLevel || !rule.stage.isEmpty || !rule.notStage.isEmpty {
            throw CaffeFormatError.unsupported(
                path: path, layer: layer.name, feature: "an include/exclude rule other than `phase:` (levels, stages)")
        }
        let named = Set((layer.include.isEmpty ? layer.exclude : layer.include).map { $0.phase == .train ? Phase.train : .test })
        let included = layer.include.isEmpty ? Set([Phase.train, .test]).subtracting(named) : named
        return [Phase.train, .test].filter(included.contains)
    }
}
