/// Format-neutral solver settings (Caffe's `SolverParameter`), filled by the Caffe importer.
public struct SolverDefinition: Sendable, Equatable, Codable {
    /// "SGD", "NESTEROV", "ADAGRAD", "RMSPROP", "ADAM" (also "ADADELTA" if supported).
    public var type: String = "SGD"
    /// Path of the train/test net prototxt.
    public var net: String = ""
    public var baseLR: Float = 0.01
    /// "fixed", "step", "multistep", "inv", "poly", "exp".
    public var lrPolicy: String = "fixed"
    public var gamma: Float = 0
    public var power: Float = 0
    public var stepSize: Int = 0
    public var stepValues: [Int] = []
    public var momentum: Float = 0
    /// Adam's second momentum (`momentum2`).
    public var momentum2: Float = 0.999
    /// RMSProp's `rms_decay`.
    public var rmsDecay: Float = 0.99
    public var weightDecay: Float = 0
    /// "L2" or "L1".
    public var regularizationType: String = "L2"
    public var delta: Float = 1e-8
    public var maxIter: Int = 0
    public var testIter: [Int] = []
    public var testInterval: Int = 0
    public var testInitialization: Bool = true
    public var display: Int = 0
    public var snapshot: Int = 0
    public var snapshotPrefix: String = ""
    public var randomSeed: Int64 = -1
    public var iterSize: Int = 1
    public var clipGradients: Float = -1
    public init() {}
}
