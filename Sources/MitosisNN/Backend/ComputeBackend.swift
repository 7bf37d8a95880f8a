/// The seam between layers (Caffe semantics, shapes, parameters) and the code that does the arithmetic.
///
/// `Convolution`, `Pooling` and `InnerProduct` never loop over data themselves: on every reshape they ask
/// their net's `ComputeBackend` for a kernel object for the new geometry and call it with raw NCHW buffers.
/// `SwiftBackend` (im2col + a blocked SGEMM in Swift) is the default; a oneDNN backend only has to wrap the
/// classes in `Kernels/` in these three protocols and be passed to `Net(definition:phase:backend:)`.
///
/// Contract for every kernel method: buffers are dense, NCHW, float32, sized by the geometry; outputs are
/// OVERWRITTEN (layers do Caffe's accumulation of parameter gradients themselves). A kernel may keep state
/// between `forward` and `backward` of the same batch (for example a max-pooling workspace).
public protocol ComputeBackend {
    /// A short name for logs ("swift", "onednn").
    var name: String { get }
    func makeConvolution(_ geometry: ConvolutionGeometry) throws -> any ConvolutionComputing
    func makePooling(_ geometry: PoolingGeometry) throws -> any PoolingComputing
    func makeInnerProduct(_ geometry: InnerProductGeometry) throws -> any InnerProductComputing
}

/// The arithmetic of a layer with a weight and an optional bias (convolution, inner product) for one geometry.
public protocol WeightedComputing: AnyObject {
    /// output = op(input, weight) + bias. `bias` is nil when the geometry has no bias.
    func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>)
    /// inputGrad = d loss / d input.
    func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      inputGrad: UnsafeMutablePointer<Float>)
    /// weightGrad (and biasGrad if non-nil) = d loss / d weight (bias), summed over the batch.
    func backwardWeights(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                         weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?)
}

/// Convolution forward, backward-data and backward-weights for one geometry.
public protocol ConvolutionComputing: WeightedComputing {
    var geometry: ConvolutionGeometry { get }
}

/// Pooling forward and backward for one geometry.
public protocol PoolingComputing: AnyObject {
    var geometry: PoolingGeometry { get }
    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>)
    /// inputGrad = d loss / d input, for the input of the last `forward`.
    func backward(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                  inputGrad: UnsafeMutablePointer<Float>)
}

/// Inner product forward and backward for one geometry.
public protocol InnerProductComputing: WeightedComputing {
    var geometry: InnerProductGeometry { get }
}

/// The pure-Swift backend: im2col + `GEMM.sgemm` (both cores) for convolution and inner product, direct loops
/// for pooling.
public struct SwiftBackend: ComputeBackend {
    /// Threads used by the GEMMs (default: all active processors).
    public var threads: Int
    public init(threads: Int = GEMM.defaultThreads) { self.threads = threads }
    public var name: String { "swift" }
    public func makeConvolution(_ geometry: ConvolutionGeometry) throws -> any ConvolutionComputing {
        SwiftConvolution(geometry, threads: threads)
    }
    public func makePooling(_ geometry: PoolingGeometry) throws -> any PoolingComputing {
        SwiftPooling(geometry)
    }
    public func makeInnerProduct(_ geometry: InnerProductGeometry) throws -> any InnerProductComputing {
        SwiftInnerProduct(geometry, threads: threads)
    }
}
