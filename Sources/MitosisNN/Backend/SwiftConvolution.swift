/// Convolution by im2col + `GEMM.sgemm` (Caffe's own CPU algorithm), one image at a time, groups as
/// separate GEMMs over slices of the column buffer.
final class SwiftConvolution: ConvolutionComputing {
    let geometry: ConvolutionGeometry
    let threads: Int
    /// (C * kh * kw) x (outH * outW) for one image.
    private var columns: [Float]

    init(_ geometry: ConvolutionGeometry, threads: Int) {
        self.geometry = geometry
        self.threads = threads
        let g = geometry
        columns = [Float](repeating: 0, count: g.inChannels * g.kernelH * g.kernelW * g.outHeight * g.outWidth)
    }

    private var inSize: Int { geometry.inChannels * geometry.inHeight * geometry.inWidth }
    private var outSpatial: Int { geometry.outHeight * geometry.outWidth }
    private var outSize: Int { geometry.outChannels * outSpatial }
    /// Rows of one group's column slice: (C/group) * kh * kw.
    private var groupK: Int { geometry.inChannels / geometry.group * geometry.kernelH * geometry.kernelW }
    private var groupOut: Int { geometry.outChannels / geometry.group }

    func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>) {
        let g = geometry, hw = outSpatial, k = groupK, og = groupOut
        columns.withUnsafeMutableBufferPointer { colBuf in
            let col = colBuf.baseAddress!
            for n in 0..<g.batch {
                im2col(input + n * inSize, col)
                let out = output + n * outSize
                for grp in 0..<g.group {
                    GEMM.sgemm(transA: false, transB: false, m: og, n: hw, k: k, a: weight + grp * og * k, lda: k,
                               b: col + grp * k * hw, ldb: hw, beta: 0, c: out + grp * og * hw, ldc: hw,
                               threads: threads)
                }
                if let bias {
                    for o in 0..<g.outChannels {
                        let row = out + o * hw, value = bias[o]
                        for j in 0..<hw { row[j] += value }
                    }
                }
            }
        }
    }

    func backwardData(outputGrad: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      inputGrad: UnsafeMutablePointer<Float>) {
        let g = geometry, hw = outSpatial, k = groupK, og = groupOut
        columns.withUnsafeMutableBufferPointer { colBuf in
            let col = colBuf.baseAddress!
            for n in 0..<g.batch {
                let dy = outputGrad + n * outSize
                for grp in 0..<g.group {
                    GEMM.sgemm(transA: true, transB: false, m: k, n: hw, k: og, a: weight + grp * og * k, lda: k,
                               b: dy + grp * og * hw, ldb: hw, beta: 0, c: col + grp * k * hw, ldc: hw,
                               threads: threads)
                }
                col2im(col, inputGrad + n * inSize)
            }
        }
    }

    func backwardWeights(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                         weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?) {
        let g = geometry, hw = outSpatial, k = groupK, og = groupOut
        weightGrad.update(repeating: 0, count: g.outChannels * k)
        biasGrad?.update(repeating: 0, count: g.outChannels)
        columns.withUnsafeMutableBufferPointer { colBuf in
            let col = colBuf.baseAddress!
            for n in 0..<g.batch {
                im2col(input + n * inSize, col)
                let dy = outputGrad + n * outSize
                for grp in 0..<g.group {
                    GEMM.sgemm(transA: false, transB: true, m: og, n: k, k: hw, a: dy + grp * og * hw, lda: hw,
                               b: col + grp * k * hw, ldb: hw, beta: 1, c: weightGrad + grp * og * k, ldc: k,
                               threads: threads)
                }
                if let biasGrad {
                    for o in 0..<g.outChannels {
                        let row = dy + o * hw
                        var sum: Float = 0
                        for j in 0..<hw { sum += row[j] }
                        biasGrad[o] += sum
                    }
                }
            }
        }
    }

    /// Row (c, ki, kj), column (oh, ow) = input[c, oh*s - pad + ki*d, ow*s - pad + kj*d] or 0 in the padding.
    private func im2col(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let g = geometry, oh = g.outHeight, ow = g.outWidth
        var row = 0
        for c in 0..<g.inChannels {
            let plane = image + c * g.inHeight * g.inWidth
            for ki in 0..<g.kernelH {
                for kj in 0..<g.kernelW {
                    let dst = col + row * oh * ow
                    for y in 0..<oh {
                        let iy = y * g.strideH - g.padH + ki * g.dilationH
                        let line = dst + y * ow
                        if iy < 0 || iy >= g.inHeight { line.update(repeating: 0, count: ow); continue }
                        let src = plane + iy * g.inWidth
                        var ix = kj * g.dilationW - g.padW
                        for x in 0..<ow {
                            line[x] = (ix >= 0 && ix < g.inWidth) ? src[ix] : 0
                            ix += g.strideW
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adjoint of `im2col`: overwrites `image` with the sum of the column entries that read each pixel.
    private func col2im(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>) {
        let g = geometry, oh = g.outHeight, ow = g.outWidth
        image.update(repeating: 0, count: inSize)
        var row = 0
        for c in 0..<g.inChannels {
            let plane = image + c * g.inHeight * g.inWidth
            for ki in 0..<g.kernelH {
                for kj in 0..<g.kernelW {
                    let src = col + row * oh * ow
                    for y in 0..<oh {
                        let iy = y * g.strideH - g.padH + ki * g.dilationH
                        if iy < 0 || iy >= g.inHeight { continue }
                        let dst = plane + iy * g.inWidth, line = src + y * ow
                        var ix = kj * g.dilationW - g.padW
                        for x in 0..<ow {
                            if ix >= 0 && ix < g.inWidth { dst[ix] += line[x] }
                            ix += g.strideW
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
