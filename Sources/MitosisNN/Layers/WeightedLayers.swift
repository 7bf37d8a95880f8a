/// What `Convolution` and `InnerProduct` do alike: call their kernel on the blobs' buffers, and accumulate
/// the parameter gradients into the blobs' diffs as Caffe does.
extension WeightedComputing {
    /// `top = op(bottom, blobs[0]) + blobs[1]` (the bias only when `hasBias`).
    func forward(bottom: Blob, top: Blob, blobs: [Blob], hasBias: Bool) {
        let bias = hasBias ? blobs[1].data : []
        bottom.data.withUnsafeBufferPointer { x in
            blobs[0].data.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    top.data.withUnsafeMutableBufferPointer { y in
                        forward(input: x.baseAddress!, weight: w.baseAddress!, bias: hasBias ? b.baseAddress! : nil,
                                output: y.baseAddress!)
                    }
                }
            }
        }
    }

    /// Adds d loss / d weight (and bias) to the blobs' diffs, computed into the scratch `weightGrad` and
    /// `biasGrad`; with `propagateDown`, overwrites the bottom's diff with d loss / d bottom.
    func backward(top: Blob, bottom: Blob, propagateDown: Bool, blobs: [Blob], hasBias: Bool,
                  weightGrad: inout [Float], biasGrad: inout [Float]) {
        top.diff.withUnsafeBufferPointer { dy in
            bottom.data.withUnsafeBufferPointer { x in
                weightGrad.withUnsafeMutableBufferPointer { dw in
                    biasGrad.withUnsafeMutableBufferPointer { db in
                        backwardWeights(input: x.baseAddress!, outputGrad: dy.baseAddress!,
                                        weightGrad: dw.baseAddress!, biasGrad: hasBias ? db.baseAddress! : nil)
                    }
                }
            }
            if propagateDown {
                blobs[0].data.withUnsafeBufferPointer { w in
                    bottom.diff.withUnsafeMutableBufferPointer { dx in
                        backwardData(outputGrad: dy.baseAddress!, weight: w.baseAddress!, inputGrad: dx.baseAddress!)
                    }
                }
            }
        }
        accumulate(weightGrad, into: blobs[0])
        if hasBias { accumulate(biasGrad, into: blobs[1]) }
    }
}

/// `blob.diff += values` (Caffe accumulates parameter gradients).
func accumulate(_ values: [Float], into blob: Blob) {
    values.withUnsafeBufferPointer { v in
        blob.diff.withUnsafeMutableBufferPointer { d in
            for i in 0..<v.count { d[i] += v[i] }
        }
    }
}
