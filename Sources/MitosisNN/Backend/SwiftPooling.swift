/// Max and average pooling with Caffe's window rules, by direct loops.
///
/// MAX: window `[h*s - pad, h*s - pad + extent)` clipped to the image; ties keep the first maximum (Caffe).
/// AVE: the divisor counts the taps inside the PADDED input (Caffe's `pool_size`), the sum only real pixels.
final class SwiftPooling: PoolingComputing {
    let geometry: PoolingGeometry
    /// Flat in-plane index of each output's maximum (MAX only), from the last forward.
    private var argmax: [Int32] = []

    init(_ geometry: PoolingGeometry) { self.geometry = geometry }

    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let g = geometry, oh = g.outHeight, ow = g.outWidth, planes = g.batch * g.channels
        let inPlane = g.inHeight * g.inWidth, outPlane = oh * ow
        if g.method == .max { argmax = [Int32](repeating: -1, count: planes * outPlane) }
        argmax.withUnsafeMutableBufferPointer { mask in
            for p in 0..<planes {
                let src = input + p * inPlane, dst = output + p * outPlane
                for y in 0..<oh {
                    for x in 0..<ow {
                        let o = y * ow + x
                        switch g.method {
                        case .max:
                            var best = -Float.greatestFiniteMagnitude, where_ = -1
                            forEachTap(y, x) { i in if src[i] > best { best = src[i]; where_ = i } }
                            dst[o] = best
                            mask[p * outPlane + o] = Int32(where_)
                        case .average:
                            var sum: Float = 0
                            forEachTap(y, x) { i in sum += src[i] }
                            dst[o] = sum / Float(paddedTaps(y, x))
                        }
                    }
                }
            }
        }
    }

    func backward(input: UnsafePointer<Float>, outputGrad: UnsafePointer<Float>,
                  inputGrad: UnsafeMutablePointer<Float>) {
        let g = geometry, oh = g.outHeight, ow = g.outWidth, planes = g.batch * g.channels
        let inPlane = g.inHeight * g.inWidth, outPlane = oh * ow
        inputGrad.update(repeating: 0, count: planes * inPlane)
        argmax.withUnsafeBufferPointer { mask in
            for p in 0..<planes {
                let dx = inputGrad + p * inPlane, dy = outputGrad + p * outPlane
                for y in 0..<oh {
                    for x in 0..<ow {
                        let o = y * ow + x
                        switch g.method {
                        case .max:
                            let i = Int(mask[p * outPlane + o])
                            if i >= 0 { dx[i] += dy[o] }
                        case .average:
                            let share = dy[o] / Float(paddedTaps(y, x))
                            forEachTap(y, x) { i in dx[i] += share }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the in-plane index of every window tap of output (y, x) that lies inside the image.
    @inline(__always)
    private func forEachTap(_ y: Int, _ x: Int, _ body: (Int) -> Void) {
        let g = geometry
        let y0 = y * g.strideH - g.padH, x0 = x * g.strideW - g.padW
        for ki in 0..<g.kernelH {
            let iy = y0 + ki * g.dilationH
            if iy < 0 || iy >= g.inHeight { continue }
            for kj in 0..<g.kernelW {
                let ix = x0 + kj * g.dilationW
                if ix < 0 || ix >= g.inWidth { continue }
                body(iy * g.inWidth + ix)
            }
        }
    }

    /// Caffe's average divisor: taps of the window that lie inside the padded input `[-pad, size + pad)`.
    private func paddedTaps(_ y: Int, _ x: Int) -> Int {
        let g = geometry
        func taps(_ start: Int, _ k: Int, _ d: Int, _ size: Int, _ pad: Int) -> Int {
            var n = 0
            for t in 0..<k where start + t * d < size + pad { n += 1 }
            return n
        }
        return taps(y * g.strideH - g.padH, g.kernelH, g.dilationH, g.inHeight, g.padH)
            * taps(x * g.strideW - g.padW, g.kernelW, g.dilationW, g.inWidth, g.padW)
    }
}
