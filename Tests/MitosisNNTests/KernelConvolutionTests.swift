// ConvolutionKernel (oneDNN) against a naive NCHW loop reference written here.
import MitosisNN
import Testing

struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var kernel: Int, stride: Int, pad: Int, dilation: Int, group: Int, bias: Bool = true
    var testDescription: String { "k\(kernel) s\(stride) p\(pad) d\(dilation) g\(group)\(bias ? "" : " nobias")" }

    var geometry: ConvolutionGeometry {
        ConvolutionGeometry(batch: 2, inChannels: 4, inHeight: 9, inWidth: 7, outChannels: 6,
                            kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride, padH: pad, padW: pad,
                            dilationH: dilation, dilationW: dilation, group: group, hasBias: bias)
    }
}

/// Naive Caffe convolution: every output, input and gradient element by its defining sum.
struct NaiveConvolution {
    let g: ConvolutionGeometry

    /// Calls `body(inputIndex, weightIndex, outputIndex)` for every tap that reads a real input pixel.
    func forEachTap(_ body: (Int, Int, Int) -> Void) {
        let icg = g.inChannels / g.group, ocg = g.outChannels / g.group
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let grp = o / ocg
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let out = ((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox
                        for c in 0..<icg {
                            for ky in 0..<g.kernelH {
                                let iy = oy * g.strideH - g.padH + ky * g.dilationH
                                if iy < 0 || iy >= g.inHeight { continue }
                                for kx in 0..<g.kernelW {
                                    let ix = ox * g.strideW - g.padW + kx * g.dilationW
                                    if ix < 0 || ix >= g.inWidth { continue }
                                    let input = ((n * g.inChannels + grp * icg + c) * g.inHeight + iy) * g.inWidth + ix
                                    let weight = ((o * icg + c) * g.kernelH + ky) * g.kernelW + kx
                                    body(input, weight, out)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func forward(_ x: [Float], _ w: [Float], _ b: [Float]?) -> [Float] {
        var y = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        forEachTap { i, k, o in y[o] += x[i] * w[k] }
        if let b {
            let plane = g.outHeight * g.outWidth
            for o in 0..<y.count { y[o] += b[(o / plane) % g.outChannels] }
        }
        return y
    }

    func backwardData(_ dy: [Float], _ w: [Float]) -> [Float] {
        var dx = [Float](repeating: 0, count: g.inputShape.reduce(1, *))
        forEachTap { i, k, o in dx[i] += dy[o] * w[k] }
        return dx
    }

    func backwardWeights(_ x: [Float], _ dy: [Float]) -> (weights: [Float], bias: [Float]) {
        var dw = [Float](repeating: 0, count: g.weightShape.reduce(1, *))
        forEachTap { i, k, o in dw[k] += dy[o] * x[i] }
        var db = [Float](repeating: 0, count: g.outChannels)
        let plane = g.outHeight * g.outWidth
        for o in 0..<dy.count { db[(o / plane) % g.outChannels] += dy[o] }
        return (dw, db)
    }
}

@Suite("oneDNN convolution kernel")
struct KernelConvolutionTests {
    static let cases: [ConvolutionCase] = [
        .init(kernel: 1, stride: 1, pad: 0, dilation: 1, group: 1),
        .init(kernel: 3, stride: 1, pad: 1, dilation: 1, group: 1),
        .init(kernel: 5, stride: 1, pad: 2, dilation: 1, group: 1),
        .init(kernel: 3, stride: 2, pad: 1, dilation: 1, group: 1),
        .init(kernel: 2, stride: 3, pad: 0, dilation: 1, group: 1, bias: false),
        .init(kernel: 3, stride: 1, pad: 2, dilation: 2, group: 1),
        .init(kernel: 3, stride: 2, pad: 0, dilation: 2, group: 1),
        .init(kernel: 3, stride: 1, pad: 1, dilation: 1, group: 2),
        .init(kernel: 3, stride: 2, pad: 2, dilation: 2, group: 2, bias: false),
    ]

    @Test(arguments: cases)
    func forwardMatchesNaiveLoops(_ c: ConvolutionCase) {
        let g = c.geometry, naive = NaiveConvolution(g: g)
        let x = kernelTestRandom(g.inputShape.reduce(1, *), seed: 1)
        let w = kernelTestRandom(g.weightShape.reduce(1, *), seed: 2)
        let b = c.bias ? kernelTestRandom(g.outChannels, seed: 3) : nil
        var y = [Float](repeating: .nan, count: g.outputShape.reduce(1, *))
        let kernel = ConvolutionKernel(g)
        withBuffers(x, w, &y) { px, pw, py in
            if let b {
                b.withUnsafeBufferPointer { kernel.forward(input: px, weight: pw, bias: $0.baseAddress!, output: py) }
            } else {
                kernel.forward(input: px, weight: pw, bias: nil, output: py)
            }
        }
        expectClose(y, naive.forward(x, w, b), "forward \(c.testDescription)")
    }

    @Test(arguments: cases)
    func backwardDataMatchesNaiveLoops(_ c: ConvolutionCase) {
        let g = c.geometry, naive = NaiveConvolution(g: g)
        let dy = kernelTestRandom(g.outputShape.reduce(1, *), seed: 4)
        let w = kernelTestRandom(g.weightShape.reduce(1, *), seed: 5)
        var dx = [Float](repeating: .nan, count: g.inputShape.reduce(1, *))
        let kernel = ConvolutionKernel(g)
        withBuffers(dy, w, &dx) { kernel.backwardData(outputGrad: $0, weight: $1, inputGrad: $2) }
        expectClose(dx, naive.backwardData(dy, w), "backward data \(c.testDescription)")
    }

    @Test(arguments: cases)
    func backwardWeightsMatchesNaiveLoops(_ c: ConvolutionCase) {
        let g = c.geometry, naive = NaiveConvolution(g: g)
        let x = kernelTestRandom(g.inputShape.reduce(1, *), seed: 6)
        let dy = kernelTestRandom(g.outputShape.reduce(1, *), seed: 7)
        var dw = [Float](repeating: .nan, count: g.weightShape.reduce(1, *))
        var db = [Float](repeating: .nan, count: g.outChannels)
        let kernel = ConvolutionKernel(g)
        withBuffers(x, dy, &dw) { px, pdy, pdw in
            if c.bias {
                db.withUnsafeMutableBufferPointer {
                    kernel.backwardWeights(input: px, outputGrad: pdy, weightGrad: pdw, biasGrad: $0.baseAddress!)
                }
            } else {
                kernel.backwardWeights(input: px, outputGrad: pdy, weightGrad: pdw, biasGrad: nil)
            }
        }
        let want = naive.backwardWeights(x, dy)
        expectClose(dw, want.weights, "backward weights \(c.testDescription)")
        if c.bias { expectClose(db, want.bias, "backward bias \(c.testDescription)") }
    }

    @Test(arguments: [cases[2], cases[7]])
    func combinedBackwardMatchesNaiveLoops(_ c: ConvolutionCase) {
        let g = c.geometry, naive = NaiveConvolution(g: g), kernel = ConvolutionKernel(g)
        let x = kernelTestRandom(g.inputShape.reduce(1, *), seed: 13)
        let w = kernelTestRandom(g.weightShape.reduce(1, *), seed: 14)
        let dy = kernelTestRandom(g.outputShape.reduce(1, *), seed: 15)
        var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
        var db = [Float](repeating: .nan, count: g.outChannels)
        withBuffers(x, dy, &dx) { px, pdy, pdx in
            w.withUnsafeBufferPointer { pw in
                dw.withUnsafeMutableBufferPointer { pdw in
                    db.withUnsafeMutableBufferPointer { pdb in
                        kernel.backward(input: px, outputGrad: pdy, weight: pw.baseAddress!, inputGrad: pdx,
                                        weightGrad: pdw.baseAddress!, biasGrad: pdb.baseAddress!)
                    }
                }
            }
        }
        let want = naive.backwardWeights(x, dy)
        expectClose(dx, naive.backwardData(dy, w), "combined backward data")
        expectClose(dw, want.weights, "combined backward weights")
        expectClose(db, want.bias, "combined backward bias")
    }

    @Test func cachedWeightsAreReusedUntilTheCallerSaysTheyChanged() {
        let g = ConvolutionCase(kernel: 3, stride: 1, pad: 1, dilation: 1, group: 1, bias: false).geometry
        let naive = NaiveConvolution(g: g), kernel = ConvolutionKernel(g)
        let x = kernelTestRandom(g.inputShape.reduce(1, *), seed: 8)
        let w1 = kernelTestRandom(g.weightShape.reduce(1, *), seed: 9)
        let w2 = kernelTestRandom(g.weightShape.reduce(1, *), seed: 10)
        var y = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        withBuffers(x, w1, &y) { kernel.forward(input: $0, weight: $1, bias: nil, output: $2, weightsChanged: true) }
        withBuffers(x, w2, &y) { kernel.forward(input: $0, weight: $1, bias: nil, output: $2, weightsChanged: false) }
        expectClose(y, naive.forward(x, w1, nil), "stale weights kept")
        withBuffers(x, w2, &y) { kernel.forward(input: $0, weight: $1, bias: nil, output: $2, weightsChanged: true) }
        expectClose(y, naive.forward(x, w2, nil), "new weights")
    }

    /// The tutorial's three convolutions at batch 128 must not fall back to oneDNN's reference kernels.
    @Test(arguments: [(3, 32, 32), (32, 32, 16), (32, 64, 8)])
    func tutorialShapesAvoidReferenceKernels(_ shape: (inChannels: Int, outChannels: Int, size: Int)) {
        let g = ConvolutionGeometry(batch: 128, inChannels: shape.inChannels, inHeight: shape.size, inWidth: shape.size,
                                    outChannels: shape.outChannels, kernelH: 5, kernelW: 5, padH: 2, padW: 2)
        let kernel = ConvolutionKernel(g)
        kernel.prepareBackward()
        #expect(kernel.implementations.count == 3)
        expectNoReference(kernel.implementations, "conv \(shape)")
    }
}
