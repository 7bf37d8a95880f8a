// OneDNNBackend hands out the oneDNN kernels for the layers' geometries.
import MitosisNN
import Testing

@Suite("oneDNN backend")
struct KernelBackendTests {
    @Test func makesKernelsForTheRequestedGeometries() throws {
        let backend = OneDNNBackend()
        #expect(backend.name == "onednn")
        let conv = ConvolutionGeometry(batch: 2, inChannels: 3, inHeight: 8, inWidth: 8, outChannels: 4, kernelH: 3, kernelW: 3)
        let pool = PoolingGeometry(method: .average, batch: 2, channels: 4, inHeight: 6, inWidth: 6, kernelH: 3, kernelW: 3,
                                   strideH: 2, strideW: 2)
        let ip = InnerProductGeometry(batch: 2, inputs: 36, outputs: 5)
        #expect(try backend.makeConvolution(conv).geometry == conv)
        #expect(try backend.makePooling(pool).geometry == pool)
        #expect(try backend.makeInnerProduct(ip).geometry == ip)
    }

    @Test func reportsTheThreadingRuntime() {
        #expect(DNNL.version.hasPrefix("2."))
        #expect(["OpenMP", "TBB", "threadpool", "sequential"].contains(DNNL.runtime))
        #expect(DNNL.threadCount >= 1)
    }
}
