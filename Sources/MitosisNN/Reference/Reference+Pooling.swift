extension Reference {
    /// Caffe's pooled size, computed independently of `PoolingGeometry`: ceil division, then drop the last
    /// window if it starts at or beyond `size + pad`.
    public static func pooledSize(_ size: Int, kernel: Int, stride: Int, pad: Int, dilation: Int = 1) -> Int {
        let extent = dilation * (kernel - 1) + 1
        var out = Int((Double(size + 2 * pad - extent) / Double(stride)).rounded(.up)) + 1
        if pad > 0, (out - 1) * stride >= size + pad { out -= 1 }
        return out
    }

    /// Window taps of output (i, j): coordinates inside the image, and the divisor Caffe's AVE uses (taps
    /// inside the padded input).
    static func window(_ i: Int, _ j: Int, h: Int, w: Int, _ p: PoolingDefinition) -> (taps: [(Int, Int)], divisor: Int) {
        var taps: [(Int, Int)] = [], rows = 0, cols = 0
        for ki in 0..<p.kernelH where i * p.strideH - p.padH + ki * p.dilationH < h + p.padH { rows += 1 }
        for kj in 0..<p.kernelW where j * p.strideW - p.padW + kj * p.dilationW < w + p.padW { cols += 1 }
        for ki in 0..<p.kernelH {
            for kj in 0..<p.kernelW {
                let yy = i * p.strideH - p.padH + ki * p.dilationH, xx = j * p.strideW - p.padW + kj * p.dilationW
                if yy >= 0, yy < h, xx >= 0, xx < w { taps.append((yy, xx)) }
            }
        }
        return (taps, rows * cols)
    }

    /// MAX or AVE pooling by the definition (global pooling not handled here).
    public static func pooling(_ x: Tensor, _ p: PoolingDefinition) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = pooledSize(h, kernel: p.kernelH, stride: p.strideH, pad: p.padH, dilation: p.dilationH)
        let ow = pooledSize(w, kernel: p.kernelW, stride: p.strideW, pad: p.padW, dilation: p.dilationW)
        var y = Tensor(shape: [n, c, oh, ow])
        for b in 0..<n {
            for ch in 0..<c {
                for i in 0..<oh {
                    for j in 0..<ow {
                        let (taps, divisor) = window(i, j, h: h, w: w, p)
                        let values = taps.map { x.at(b, ch, $0.0, $0.1) }
                        y.data[y.offset(b, ch, i, j)] = p.method == .max
                            ? values.max()! : values.reduce(0, +) / Float(divisor)
                    }
                }
            }
        }
        return y
    }

    /// Input gradient of `pooling` (MAX routes to the first maximum of each window).
    public static func poolingBackward(_ x: Tensor, outputGrad dy: Tensor, _ p: PoolingDefinition) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var dx = Tensor(shape: x.shape)
        for b in 0..<n {
            for ch in 0..<c {
                for i in 0..<dy.shape[2] {
                    for j in 0..<dy.shape[3] {
                        let (taps, divisor) = window(i, j, h: h, w: w, p)
                        let grad = dy.at(b, ch, i, j)
                        if p.method == .max {
                            var best = taps[0]
                            for t in taps where x.at(b, ch, t.0, t.1) > x.at(b, ch, best.0, best.1) { best = t }
                            dx.data[dx.offset(b, ch, best.0, best.1)] += grad
                        } else {
                            for t in taps { dx.data[dx.offset(b, ch, t.0, t.1)] += grad / Float(divisor) }
                        }
                    }
                }
            }
        }
        return dx
    }
}
