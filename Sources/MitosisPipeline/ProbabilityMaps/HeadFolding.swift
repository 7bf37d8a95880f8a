/// How much of the linear head of the dense rewrite is folded into one convolution.
///
/// The tutorial net ends `conv3 -> relu3 -> pool3 (AVE) -> ip1 -> ip2` with no non-linearity after relu3:
/// everything after it is one linear map. Folding trades memory traffic for arithmetic:
/// - `.none`: pool3 (3x3 at dilation 4), ip1 (64 x 64 x 4x4 at dilation 8), ip2 (1x1) as they are;
/// - `.innerProducts`: ip2 folded into ip1: one 2-output 4x4 convolution at dilation 8 (the default);
/// - `.poolAndInnerProducts`: pool3 folded in too: one 2-output 9x9 convolution at dilation 4.
public enum HeadFolding: String, Sendable, CaseIterable {
    case none
    case innerProducts = "ip"
    case poolAndInnerProducts = "pool"
}

extension DenseRewrite {
    /// Folds trailing linear ops according to `folding`; the result computes the same function (up to rounding).
    func folded(_ folding: HeadFolding) -> DenseRewrite {
        var result = self
        guard folding != .none else { return result }
        while result.ops.count >= 2 {
            let a = result.ops[result.ops.count - 2], b = result.ops[result.ops.count - 1]
            guard b.fromInnerProduct, a.isLinear, let merged = Self.fold(a, b) else { break }
            if !a.fromInnerProduct && folding != .poolAndInnerProducts { break }
            if case .convolution = a.kind, !a.fromInnerProduct { break }  // keep the body's convolutions
            result.ops.removeLast(2)
            result.ops.append(merged)
        }
        return result
    }

    /// `b` after the linear `a` as one convolution, when `b`'s dilation is a multiple of `a`'s.
    static func fold(_ a: Op, _ b: Op) -> Op? {
        guard case let .convolution(wb, bb, outB, reluB) = b.kind, a.strideH == 1, a.strideW == 1,
              b.strideH == 1, b.strideW == 1, b.dilationH % a.dilationH == 0, b.dilationW % a.dilationW == 0 else { return nil }
        let rh = b.dilationH / a.dilationH, rw = b.dilationW / a.dilationW
        let kh = a.kernelH + rh * (b.kernelH - 1), kw = a.kernelW + rw * (b.kernelW - 1)
        let mid = a.outChannels, cin = a.inChannels
        var w = [Float](repeating: 0, count: outB * cin * kh * kw)
        var bias = bb ?? [Float](repeating: 0, count: outB)
        // weight of a as (mid, cin, kha, kwa) entries; AVE pooling is depthwise with 1/(kh*kw).
        func aWeight(_ m: Int, _ i: Int, _ y: Int, _ x: Int) -> Float {
            switch a.kind {
            case let .convolution(wa, _, _, _): return wa[((m * cin + i) * a.kernelH + y) * a.kernelW + x]
            case .pooling: return m == i ? 1 / Float(a.kernelH * a.kernelW) : 0
            }
        }
        let aIsPool: Bool = { if case .pooling = a.kind { return true } else { return false } }()
        for o in 0..<outB {
            for m in 0..<mid {
                for by in 0..<b.kernelH {
                    for bx in 0..<b.kernelW {
                        let wbv = wb[((o * mid + m) * b.kernelH + by) * b.kernelW + bx]
                        if wbv == 0 { continue }
                        for i in (aIsPool ? m..<(m + 1) : 0..<cin) {
                            for ay in 0..<a.kernelH {
                                for ax in 0..<a.kernelW {
                                    w[((o * cin + i) * kh + ay + rh * by) * kw + ax + rw * bx] += wbv * aWeight(m, i, ay, ax)
                                }
                            }
                        }
                    }
                }
            }
            if case let .convolution(_, ba?, _, _) = a.kind {
                for m in 0..<mid {
                    var s: Float = 0
                    for k in 0..<(b.kernelH * b.kernelW) { s += wb[(o * mid + m) * b.kernelH * b.kernelW + k] }
                    bias[o] += s * ba[m]
                }
            }
        }
        let hasBias: Bool = { if bb != nil { return true }; if case .convolution(_, _?, _, _) = a.kind { return true }; return false }()
        return Op(kind: .convolution(weight: w, bias: hasBias ? bias : nil, outChannels: outB, relu: reluB), inChannels: cin,
                  kernelH: kh, kernelW: kw, dilationH: a.dilationH, dilationW: a.dilationW,
                  shiftH: a.shiftH + b.shiftH, shiftW: a.shiftW + b.shiftW, fromInnerProduct: true)
    }
}
