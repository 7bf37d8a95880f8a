/// Format-neutral description of a network, as read from a Caffe prototxt (see MitosisCaffe) or built in code.
///
/// This is the contract between the Caffe importer and the engine: the importer fills these structs, `Net`
/// builds layers from them. Field meanings and defaults follow Caffe's `caffe.proto`.

/// Training or testing phase (Caffe's `Phase`).
public enum Phase: String, Sendable, Codable { case train = "TRAIN", test = "TEST" }

/// How a learnable blob is initialised (Caffe's `FillerParameter`).
public struct FillerDefinition: Sendable, Equatable, Codable {
    /// "constant", "gaussian", "uniform", "xavier", "msra".
    public var type: String = "constant"
    public var value: Float = 0
    public var min: Float = 0
    public var max: Float = 1
    public var mean: Float = 0
    public var std: Float = 1
    /// "FAN_IN", "FAN_OUT" or "AVERAGE" (xavier / msra).
    public var varianceNorm: String = "FAN_IN"
    public init(type: String = "constant") { self.type = type }
}

/// Per-blob learning-rate and decay multipliers (`param { lr_mult decay_mult }`, V1 `blobs_lr`, `weight_decay`).
public struct ParamSpec: Sendable, Equatable, Codable {
    public var lrMult: Float = 1
    public var decayMult: Float = 1
    public init(lrMult: Float = 1, decayMult: Float = 1) { self.lrMult = lrMult; self.decayMult = decayMult }
}

/// `Convolution` layer parameters.
public struct ConvolutionDefinition: Sendable, Equatable, Codable {
    public var numOutput: Int = 0
    public var biasTerm: Bool = true
    public var kernelH: Int = 1, kernelW: Int = 1
    public var strideH: Int = 1, strideW: Int = 1
    public var padH: Int = 0, padW: Int = 0
    public var dilationH: Int = 1, dilationW: Int = 1
    public var group: Int = 1
    public var weightFiller = FillerDefinition(type: "constant")
    public var biasFiller = FillerDefinition(type: "constant")
    public init() {}
}

/// `Pooling` layer parameters. Output size uses Caffe's ceil mode.
public struct PoolingDefinition: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable { case max = "MAX", average = "AVE" }
    public var method: Method = .max
    public var kernelH: Int = 1, kernelW: Int = 1
    public var strideH: Int = 1, strideW: Int = 1
    public var padH: Int = 0, padW: Int = 0
    /// Dilation of the pooling window (not in Caffe; used by the dense "a trous" rewrite). 1 = Caffe.
    public var dilationH: Int = 1, dilationW: Int = 1
    /// Caffe's `global_pooling`.
    public var global: Bool = false
    public init() {}
}

/// `InnerProduct` layer parameters.
public struct InnerProductDefinition: Sendable, Equatable, Codable {
    public var numOutput: Int = 0
    public var biasTerm: Bool = true
    public var weightFiller = FillerDefinition(type: "constant")
    public var biasFiller = FillerDefinition(type: "constant")
    public init() {}
}

/// `transform_param` of a data layer.
public struct TransformDefinition: Sendable, Equatable, Codable {
    public var scale: Float = 1
    public var mirror: Bool = false
    public var cropSize: Int = 0
    public var meanFile: String? = nil
    public var meanValues: [Float] = []
    public init() {}
}

/// A `Data` layer: where batches come from. The engine treats its tops as inputs fed by the caller.
public struct DataDefinition: Sendable, Equatable, Codable {
    public var source: String = ""
    /// "LMDB" or "LEVELDB".
    public var backend: String = "LEVELDB"
    public var batchSize: Int = 1
    public var transform = TransformDefinition()
    public init() {}
}

/// One layer of a network, as in a prototxt `layer { ... }` / V1 `layers { ... }`.
public struct LayerDefinition: Sendable, Equatable, Codable {
    public var name: String
    /// Current Caffe type string: "Convolution", "Pooling", "ReLU", "InnerProduct", "Dropout", "Softmax",
    /// "SoftmaxWithLoss", "Accuracy", "Data", "Input" (V1 names are upgraded by the importer).
    public var type: String
    public var bottoms: [String] = []
    public var tops: [String] = []
    /// Phases the layer is included in; empty = both.
    public var phases: [Phase] = []
    public var params: [ParamSpec] = []
    public var lossWeight: [Float] = []
    public var convolution: ConvolutionDefinition? = nil
    public var pooling: PoolingDefinition? = nil
    public var innerProduct: InnerProductDefinition? = nil
    /// ReLU `negative_slope`.
    public var negativeSlope: Float = 0
    /// Dropout `dropout_ratio`.
    public var dropoutRatio: Float = 0.5
    /// Softmax / loss axis.
    public var axis: Int = 1
    /// Accuracy `top_k`.
    public var topK: Int = 1
    public var data: DataDefinition? = nil
    /// Shapes of the tops of an "Input" layer.
    public var inputShapes: [[Int]] = []

    public init(name: String, type: String, bottoms: [String] = [], tops: [String] = []) {
        self.name = name
        self.type = type
        self.bottoms = bottoms
        self.tops = tops
    }
}

/// A whole network: named inputs (deploy nets' `input`/`input_dim`) plus layers in order.
public struct NetDefinition: Sendable, Equatable, Codable {
    public var name: String = ""
    /// Net-level inputs and their NCHW shapes (deploy nets).
    public var inputs: [(name: String, shape: [Int])] {
        get { zip(inputNames, inputShapes).map { ($0, $1) } }
        set { inputNames = newValue.map(\.name); inputShapes = newValue.map(\.shape) }
    }
    public var inputNames: [String] = []
    public var inputShapes: [[Int]] = []
    public var layers: [LayerDefinition] = []
    public init(name: String = "") { self.name = name }

    /// The layers that run in `phase` (Caffe's include/exclude rules, include-only form).
    public func layers(in phase: Phase) -> [LayerDefinition] {
        layers.filter { $0.phases.isEmpty || $0.phases.contains(phase) }
    }
}
