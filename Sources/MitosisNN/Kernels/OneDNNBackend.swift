// The oneDNN compute backend: hands out the kernels of this folder to the layers.

/// Convolution, pooling and inner product on oneDNN (both cores through its OpenMP runtime).
///
/// Pass it to a net in place of `SwiftBackend`; every kernel is created for one fixed geometry and caches
/// its primitives, so layers should ask for a new kernel only when their shape changes.
public struct OneDNNBackend: ComputeBackend {
    public init() {}

    public var name: String { "onednn" }

    public func makeConvolution(_ geometry: ConvolutionGeometry) throws -> any ConvolutionComputing {
        ConvolutionKernel(geometry)
    }

    public func makePooling(_ geometry: PoolingGeometry) throws -> any PoolingComputing {
        PoolingKernel(geometry)
    }

    public func makeInnerProduct(_ geometry: InnerProductGeometry) throws -> any InnerProductComputing {
        InnerProductKernel(geometry)
    }
}
