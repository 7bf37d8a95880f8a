extension Reference {
    /// y = x W^T + b with x flattened from axis 1 to (N, K); W is (O, K).
    public static func innerProduct(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let n = x.shape[0], k = x.count / n, o = weight.shape[0]
        var y = Tensor(shape: [n, o])
        for b in 0..<n {
            for r in 0..<o {
                var sum = Double(bias?.data[r] ?? 0)
                for i in 0..<k { sum += Double(x.data[b * k + i]) * Double(weight.data[r * k + i]) }
                y.data[b * o + r] = Float(sum)
            }
        }
        return y
    }

    /// Gradients of `innerProduct`.
    public static func innerProductBackward(_ x: Tensor, weight: Tensor, outputGrad dy: Tensor)
        -> (input: Tensor, weight: Tensor, bias: Tensor)
    {
        let n = x.shape[0], k = x.count / n, o = weight.shape[0]
        var dx = Tensor(shape: x.shape), dw = Tensor(shape: weight.shape), db = Tensor(shape: [o])
        for b in 0..<n {
            for r in 0..<o {
                let g = dy.data[b * o + r]
                db.data[r] += g
                for i in 0..<k {
                    dw.data[r * k + i] += g * x.data[b * k + i]
                    dx.data[b * k + i] += g * weight.data[r * k + i]
                }
            }
        }
        return (dx, dw, db)
    }

    /// Leaky ReLU and its input gradient.
    public static func relu(_ x: Tensor, negativeSlope: Float = 0) -> Tensor {
        Tensor(shape: x.shape, data: x.data.map { $0 > 0 ? $0 : negativeSlope * $0 })
    }

    public static func reluBackward(_ x: Tensor, outputGrad dy: Tensor, negativeSlope: Float = 0) -> Tensor {
        Tensor(shape: x.shape, data: zip(x.data, dy.data).map { $0 > 0 ? $1 : negativeSlope * $1 })
    }

    /// Softmax over axis 1 of (N, C, ...), in Double.
    public static func softmax(_ x: Tensor) -> Tensor {
        let n = x.shape[0], c = x.shape[1], inner = x.count / (n * c)
        var y = Tensor(shape: x.shape)
        for b in 0..<n {
            for s in 0..<inner {
                let idx = (0..<c).map { (b * c + $0) * inner + s }
                let top = idx.map { Double(x.data[$0]) }.max()!
                let e = idx.map { _exp(Float(Double(x.data[$0]) - top)) }
                let sum = e.reduce(0, +)
                for (k, i) in idx.enumerated() { y.data[i] = e[k] / sum }
            }
        }
        return y
    }

    /// Mean cross-entropy of softmax(scores) against labels (one per N*H*W position), and its gradient.
    public static func softmaxLoss(_ scores: Tensor, labels: Tensor) -> (loss: Float, grad: Tensor) {
        let p = softmax(scores)
        let n = scores.shape[0], c = scores.shape[1], inner = scores.count / (n * c)
        var loss = 0.0, grad = p
        for b in 0..<n {
            for s in 0..<inner {
                let i = (b * c + Int(labels.data[b * inner + s])) * inner + s
                loss -= Double(_logf(max(p.data[i], .leastNormalMagnitude)))
                grad.data[i] -= 1
            }
        }
        let count = Float(n * inner)
        grad.data = grad.data.map { $0 / count }
        return (Float(loss / Double(count)), grad)
    }

    /// Fraction of positions whose label scores strictly above all but at most topK-1 classes.
    public static func accuracy(_ scores: Tensor, labels: Tensor, topK: Int = 1) -> Float {
        let n = scores.shape[0], c = scores.shape[1], inner = scores.count / (n * c)
        var correct = 0
        for b in 0..<n {
            for s in 0..<inner {
                let label = Int(labels.data[b * inner + s])
                let truth = scores.data[(b * c + label) * inner + s]
                let others = (0..<c).filter { $0 != label && scores.data[(b * c + $0) * inner + s] >= truth }
                if others.count < topK { correct += 1 }
            }
        }
        return Float(correct) / Float(n * inner)
    }
}
