// PoolingKernel (oneDNN) against Caffe's pooling loops, transcribed here: ceil-mode size, clipped windows,
// AVE divided by the window clipped to the padded input.
import MitosisNN
import Testing

struct PoolingCase: Sendable, CustomTestStringConvertible {
    var method: PoolingDefinition.Method, height: Int, width: Int, kernel: Int, stride: Int, pad: Int
    var testDescription: String { "\(method.rawValue) \(height)x\(width) k\(kernel) s\(stride) p\(pad)" }

    var geometry: PoolingGeometry {
        PoolingGeometry(method: method, batch: 2, channels: 3, inHeight: height, inWidth: width,
                        kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride, padH: pad, padW: pad)
    }
}

/// Caffe's `PoolingLayer::Forward_cpu` / `Backward_cpu` (MAX with first-maximum ties, AVE).
struct NaivePooling {
    let g: PoolingGeometry

    /// Calls `body(plane, outputIndex, window taps clipped to the image, Caffe's pool_size)`.
    func forEachWindow(_ body: (Int, Int, [Int], Int) -> Void) {
        for plane in 0..<(g.batch * g.channels) {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var h0 = oy * g.strideH - g.padH, w0 = ox * g.strideW - g.padW
                    var h1 = min(h0 + g.kernelH, g.inHeight + g.padH), w1 = min(w0 + g.kernelW, g.inWidth + g.padW)
                    let poolSize = (h1 - h0) * (w1 - w0)
                    h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, g.inHeight); w1 = min(w1, g.inWidth)
                    var taps: [Int] = []
                    for y in h0..<max(h0, h1) { for x in w0..<max(w0, w1) { taps.append(y * g.inWidth + x) } }
                    body(plane, (plane * g.outHeight + oy) * g.outWidth + ox, taps, poolSize)
                }
            }
        }
    }

    func forward(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
        let planeSize = g.inHeight * g.inWidth
        forEachWindow { plane, o, taps, poolSize in
            let values = taps.map { x[plane * planeSize + $0] }
            y[o] = g.method == .max ? values.max()! : values.reduce(0, +) / Float(poolSize)
        }
        return y
    }

    func backward(_ x: [Float], _ dy: [Float]) -> [Float] {
        var dx = [Float](repeating: 0, count: g.inputShape.reduce(1, *))
        let planeSize = g.inHeight * g.inWidth
        forEachWindow { plane, o, taps, poolSize in
            if g.method == .max {
                var best = taps[0]
                for t in taps where x[plane * planeSize + t] > x[plane * planeSize + best] { best = t }
                dx[plane * planeSize + best] += dy[o]
            } else {
                for t in taps { dx[plane * planeSize + t] += dy[o] / Float(poolSize) }
            }
        }
        return dx
    }
}

@Suite("oneDNN pooling kernel")
struct KernelPoolingTests {
    static let cases: [PoolingCase] = [.max, .average].flatMap { m -> [PoolingCase] in
        [
            .init(method: m, height: 32, width: 32, kernel: 3, stride: 2, pad: 0),  // tutorial pool1/2/3 rule
            .init(method: m, height: 7, width: 9, kernel: 3, stride: 2, pad: 0),
            .init(method: m, height: 6, width: 6, kernel: 3, stride: 2, pad: 1),  // extra right padding
            .init(method: m, height: 7, width: 5, kernel: 3, stride: 2, pad: 1),
            .init(method: m, height: 5, width: 5, kernel: 2, stride: 2, pad: 1),  // Caffe drops the last window
            .init(method: m, height: 11, width: 8, kernel: 4, stride: 3, pad: 2),
            .init(method: m, height: 5, width: 6, kernel: 2, stride: 1, pad: 0),
        ]
    }

    @Test(arguments: cases)
    func forwardAndBackwardMatchCaffeLoops(_ c: PoolingCase) {
        let g = c.geometry, naive = NaivePooling(g: g)
        let x = kernelTestRandom(g.inputShape.reduce(1, *), seed: 11)
        let dy = kernelTestRandom(g.outputShape.reduce(1, *), seed: 12)
        let wantY = naive.forward(x), wantDX = naive.backward(x, dy)
        for blocked in [true, false] {
            var y = [Float](repeating: .nan, count: g.outputShape.reduce(1, *))
            var dx = [Float](repeating: .nan, count: g.inputShape.reduce(1, *))
            let kernel = PoolingKernel(g, blocked: blocked)
            withBuffers(x, x, &y) { px, _, py in kernel.forward(input: px, output: py) }
            withBuffers(x, dy, &dx) { kernel.backward(input: $0, outputGrad: $1, inputGrad: $2) }
            expectClose(y, wantY, "forward \(c.testDescription) blocked \(blocked)")
            expectClose(dx, wantDX, "backward \(c.testDescription) blocked \(blocked)")
            expectNoReference(kernel.implementations, c.testDescription)
        }
        var y = [Float](repeating: .nan, count: g.outputShape.reduce(1, *))
        withBuffers(x, x, &y) { px, _, py in PoolingKernel(g, inference: true).forward(input: px, output: py) }
        expectClose(y, wantY, "inference forward \(c.testDescription)")
    }

    @Test func caffeOutputSizeRule() {
        func out(_ size: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
            PoolingGeometry(method: .max, batch: 1, channels: 1, inHeight: size, inWidth: size,
                            kernelH: k, kernelW: k, strideH: s, strideW: s, padH: p, padW: p).outHeight
        }
        #expect([out(32, 3, 2, 0), out(16, 3, 2, 0), out(8, 3, 2, 0)] == [16, 8, 4])  // the tutorial
        #expect(out(8, 3, 2, 0) == 4)  // ceil(5/2)+1; floor mode would give 3
        #expect(out(6, 3, 2, 1) == 4)
        #expect(out(5, 2, 2, 1) == 3)  // ceil(5/2)+1 = 4, last window would start in the padding
    }

    /// On an all-ones 6x6 input (k3 s2 p1) Caffe's AVE yields (taps in image) / (taps in the padded input):
    /// rows/cols 0 -> 2/3, 1 and 2 -> 1, 3 -> 1/2 (window 5..7 against padded end 7). Neither of oneDNN's
    /// divisors gives this (include_padding: 1/3, exclude_padding: 1).
    @Test func averageDivisorOnTheCeilModeBorder() {
        let g = PoolingCase(method: .average, height: 6, width: 6, kernel: 3, stride: 2, pad: 1).geometry
        let x = [Float](repeating: 1, count: g.inputShape.reduce(1, *))
        var y = [Float](repeating: .nan, count: g.outputShape.reduce(1, *))
        let kernel = PoolingKernel(g)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { kernel.forward(input: px.baseAddress!, output: $0.baseAddress!) }
        }
        let axis: [Float] = [2.0 / 3, 1, 1, 0.5]
        let plane = axis.flatMap { r in axis.map { r * $0 } }
        expectClose(Array(y[0..<16]), plane, tolerance: 1e-6, "ones, first plane")
    }

    @Test func tutorialShapesAvoidReferenceKernels() {
        for (method, channels, size) in [(PoolingDefinition.Method.max, 32, 32), (.average, 32, 16), (.average, 64, 8)] {
            let kernel = PoolingKernel(PoolingGeometry(method: method, batch: 128, channels: channels, inHeight: size,
                                                       inWidth: size, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2))
            kernel.prepareBackward()
            #expect(kernel.implementations.count == 2)
            expectNoReference(kernel.implementations, "\(method) pool \(size)")
        }
    }
}
