/// Inner product as three GEMMs: Y = X W^T + b, dX = dY W, dW = dY^T X.
final class SwiftInnerProduct: InnerProductComputing {
    let geometry: InnerProductGeometry
    let threads: Int

    init(_ geometry: InnerProductGeometry, threads: Int) {
        self.geometry = geometry
        self.threads = threads
    }

    func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>) {
        let g = geometry
        GEMM.sgemm(transA: false, transB: true, m: g.batch, n: g.outputs, k: g.inputs, a: input, lda: g.inputs,
                   b: weight, ldb: g.inputs, beta: 0, c: output, ldc: g.outputs, threads: threads)
        if let bias {
            for n in 0..<g.batch {
                let row = output + n * g.outputs
                for o in 0..<g.outputs { row[o] += bias[o] }
            }
        }
    }

    func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      inputGrad: UnsafeMutablePointer<Float>) {
        let g = geometry
        GEMM.sgemm(transA: false, transB: false, m: g.batch, n: g.inputs, k: g.outputs, a: outputGrad,
                   lda: g.outputs, b: weight, ldb: g.inputs, beta: 0, c: inputGrad, ldc: g.inputs, threads: threads)
    }

    func backwardWeights(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                         weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?) {
        let g = geometry
        GEMM.sgemm(transA: true, transB: false, m: g.outputs, n: g.inputs, k: g.batch, a: outputGrad,
                   lda: g.outputs, b: input, ldb: g.inputs, beta: 0, c: weightGrad, ldc: g.inputs, threads: threads)
        if let biasGrad {
            biasGrad.update(repeating: 0, count: g.outputs)
            for n in 0..<g.batch {
                let row = outputGrad + n * g.outputs
                for o in 0..<g.outputs { biasGrad[o] += row[o] }
            }
        }
    }
}
