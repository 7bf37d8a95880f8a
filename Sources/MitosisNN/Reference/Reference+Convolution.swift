extension Reference {
    /// Convolution output by the definition: y[n,o,i,j] = b[o] + sum over c in o's group, ki, kj of
    /// w[o, c - group_start, ki, kj] * x[n, c, i*s - pad + ki*d, j*s - pad + kj*d] (zero outside).
    public static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor?, _ p: ConvolutionDefinition) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * p.padH - (p.dilationH * (p.kernelH - 1) + 1)) / p.strideH + 1
        let ow = (w + 2 * p.padW - (p.dilationW * (p.kernelW - 1) + 1)) / p.strideW + 1
        let cg = c / p.group, og = p.numOutput / p.group
        var y = Tensor(shape: [n, p.numOutput, oh, ow])
        for b in 0..<n {
            for o in 0..<p.numOutput {
                let g = o / og
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = Double(bias?.data[o] ?? 0)
                        for ci in 0..<cg {
                            for ki in 0..<p.kernelH {
                                for kj in 0..<p.kernelW {
                                    let yy = i * p.strideH - p.padH + ki * p.dilationH
                                    let xx = j * p.strideW - p.padW + kj * p.dilationW
                                    guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                                    sum += Double(weight.at(o, ci, ki, kj)) * Double(x.at(b, g * cg + ci, yy, xx))
                                }
                            }
                        }
                        y.data[y.offset(b, o, i, j)] = Float(sum)
                    }
                }
            }
        }
        return y
    }

    /// Gradients of `convolution` with respect to input, weight and bias, given the output gradient.
    public static func convolutionBackward(_ x: Tensor, weight: Tensor, outputGrad dy: Tensor, _ p: ConvolutionDefinition)
        -> (input: Tensor, weight: Tensor, bias: Tensor)
    {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (dy.shape[2], dy.shape[3])
        let cg = c / p.group, og = p.numOutput / p.group
        var dx = Tensor(shape: x.shape), dw = Tensor(shape: weight.shape), db = Tensor(shape: [p.numOutput])
        for b in 0..<n {
            for o in 0..<p.numOutput {
                let g = o / og
                for i in 0..<oh {
                    for j in 0..<ow {
                        let grad = dy.at(b, o, i, j)
                        db.data[o] += grad
                        for ci in 0..<cg {
                            for ki in 0..<p.kernelH {
                                for kj in 0..<p.kernelW {
                                    let yy = i * p.strideH - p.padH + ki * p.dilationH
                                    let xx = j * p.strideW - p.padW + kj * p.dilationW
                                    guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                                    dw.data[dw.offset(o, ci, ki, kj)] += grad * x.at(b, g * cg + ci, yy, xx)
                                    dx.data[dx.offset(b, g * cg + ci, yy, xx)] += grad * weight.at(o, ci, ki, kj)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }
}
