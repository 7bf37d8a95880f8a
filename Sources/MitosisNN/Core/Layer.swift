/// What a layer needs from the net that builds it.
public struct LayerContext {
    /// TRAIN or TEST (Dropout behaves differently).
    public var phase: Phase
    /// Where Convolution, Pooling and InnerProduct get their compute kernels.
    public var backend: any ComputeBackend
    /// The net's random source: fillers and dropout masks draw from it.
    public var random: RandomSource

    /// A context for building layers outside a `Net` (tests, tools).
    public init(phase: Phase = .train, backend: any ComputeBackend = SwiftBackend(),
                random: RandomSource = RandomSource(seed: 0)) {
        self.phase = phase
        self.backend = backend
        self.random = random
    }
}

/// A network layer with Caffe semantics (Caffe's `Layer<Dtype>`).
///
/// Lifecycle: `reshape` (shape inference; creates and fills the learnable blobs the first time) -> `forward`
/// -> `backward`. Layers read bottoms' `data` and write tops' `data`; backward reads tops' `diff` and writes
/// (overwrites) bottoms' `diff`, and ADDS parameter gradients into `blobs[i].diff`, as Caffe does, so that
/// gradients accumulate over `iter_size` and shared parameters.
public protocol Layer: AnyObject {
    /// The definition the layer was built from (name, type, tops, bottoms, parameters).
    var definition: LayerDefinition { get }
    /// Learnable parameters in Caffe's order (weights, then bias). Replaced wholesale to share weights.
    var blobs: [Blob] { get set }
    /// Checks the bottoms' shapes, creates the parameters on the first call and sets the tops' shapes.
    /// - Throws: `NNError.shapeMismatch` / `.invalidDefinition` naming the layer.
    func reshape(bottoms: [Blob], tops: [Blob]) throws
    /// Computes the tops from the bottoms (and parameters).
    func forward(bottoms: [Blob], tops: [Blob])
    /// Computes bottoms' gradients where `propagateDown[i]`, and accumulates parameter gradients.
    func backward(tops: [Blob], propagateDown: [Bool], bottoms: [Blob])
    /// Loss weight of top `index` when the definition gives none: 1 for a loss layer's first top, else 0.
    func defaultLossWeight(top index: Int) -> Float
    /// Whether a gradient can flow into bottom `index` (false for labels).
    func canPropagateDown(bottom index: Int) -> Bool
    /// Whether the layer may run in place (top and bottom the same blob).
    var allowsInPlace: Bool { get }
}

extension Layer {
    /// The layer's name from its definition.
    public var name: String { definition.name }
    /// The layer's Caffe type string.
    public var type: String { definition.type }
    /// One `ParamSpec` per learnable blob (defaults where the definition gives fewer).
    public var paramSpecs: [ParamSpec] {
        (0..<blobs.count).map { $0 < definition.params.count ? definition.params[$0] : ParamSpec() }
    }
    public func defaultLossWeight(top index: Int) -> Float { 0 }
    public func canPropagateDown(bottom index: Int) -> Bool { true }
    public var allowsInPlace: Bool { false }

    /// Throws unless the layer has between `min` and `max` bottoms and tops.
    func checkCounts(bottoms: [Blob], tops: [Blob], bottomRange: ClosedRange<Int>, topRange: ClosedRange<Int>) throws {
        guard bottomRange.contains(bottoms.count) else {
            throw NNError.invalidDefinition(
                layer: name, hint: "\(type) takes \(bottomRange) bottoms, got \(bottoms.count)")
        }
        guard topRange.contains(tops.count) else {
            throw NNError.invalidDefinition(layer: name, hint: "\(type) makes \(topRange) tops, got \(tops.count)")
        }
    }

    /// Creates the learnable blobs on first use, or checks that existing ones (imported or shared) fit.
    func makeOrCheckParams(_ shapes: [[Int]], fillers: [FillerDefinition], random: RandomSource) throws {
        if blobs.isEmpty {
            blobs = try zip(shapes, fillers).map { shape, filler in
                let blob = Blob(shape: shape)
                blob.data = try Filler.values(count: blob.count, shape: shape, definition: filler, layer: name,
                                              generator: &random.generator)
                return blob
            }
            return
        }
        guard blobs.count == shapes.count else {
            throw NNError.invalidDefinition(layer: name, hint: "has \(blobs.count) parameter blobs, expected \(shapes.count)")
        }
        for (blob, shape) in zip(blobs, shapes) where blob.shape != shape {
            throw NNError.shapeMismatch(
                layer: name, expected: shape, got: blob.shape,
                hint: "the parameters were made for other bottom shapes; check the input shape or the imported weights")
        }
    }
}
