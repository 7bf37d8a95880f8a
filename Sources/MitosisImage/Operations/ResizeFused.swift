import MitosisResampleAVX
import MitosisSupport

// The uint8 rows-first resize of `Resize.swift`, computed faster and with the same result bit for bit.
//
// - Fused: each output row's vertical pass is written to a Float row that the horizontal pass reads at
//   once, so the intermediate image never goes to memory; each input row is converted to Float once (a
//   small ring of converted rows) instead of once per output row that reads it.
// - Float sums with an exact fallback: every sum is first taken in Float, eight lanes per instruction
//   (sixteen samples of a row, or two output pixels). A uint8 result depends only on which side of the boundaries m + 0.5 (m = 0...254) the
//   Double sum falls. The Float sum differs from the Double one by at most `_Contributions.floatMargin`
//   (a bound on the rounding of the weights, the products and the additions), so where the Float sum is
//   farther than that from a boundary, both round to the same uint8. Where it is not (about 0.1 % of the
//   samples), the sum is taken again in Double exactly as the reference passes do (same terms, same
//   order, from +0), from the same integer samples.
// The intermediate rows hold the vertical pass's uint8 results as exact integers in Float.
// The kernel itself is in the MitosisResampleAVX module, compiled for AVX2 (eight Floats per instruction)
// and called only where the processor has it (`CPUFeatures.haswellClass`); elsewhere the Double passes run.

extension _Contributions {
    /// An upper bound, with a factor 2 of safety, on |Float sum - Double sum| of any output's taps over
    /// samples in 0...255. Each product and partial sum of n terms is rounded at most n + 1 times, with
    /// the weight's own rounding to Float once more: at most (n + 2) u |w| x per term (u = 2^-24), plus
    /// Double's own error, far smaller.
    var floatMargin: Float {
        var largest = 0.0
        for k in 0..<outputLength {
            var sum = 0.0
            for j in spans[k] { sum += abs(weights[k * taps + j]) }
            largest = max(largest, sum)
        }
        let n = Double(taps + 2)
        return Float(2 * 255 * largest * (n * 0x1p-24 + n * 0x1p-53) * 1.01)
    }
}

/// `_resampleRowsFirst` for uint8 HWC data, bit for bit (see the
/// top of this file): the fused AVX2 kernel where the processor has it and there are 1-4 channels, else
/// those passes. `margin` overrides the fallback margin (tests force every sum to Double with a huge one,
/// or none with 0). Not API.
func _resizeRowsFirstUInt8(_ input: [UInt8], width: Int, channels: Int, vertical: _Contributions,
                           horizontal: _Contributions, margin: Float? = nil) -> [UInt8] {
    guard CPUFeatures.haswellClass, (1...4).contains(channels) else {
        return _resampleRowsFirst(input, width: width, channels: channels, vertical: vertical, horizontal: horizontal)
    }
    var output = [UInt8](repeating: 0, count: vertical.outputLength * horizontal.outputLength * channels)
    input.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
            fusedResizeRowsFirstUInt8(source, width: width, channels: channels,
                                      vertical: vertical.fusedTable(stride: 1, margin: margin),
                                      horizontal: horizontal.fusedTable(stride: channels, margin: margin),
                                      output: target.baseAddress!)
        }
    }
    return output
}

extension _Contributions {
    /// The compact tap lists of the fused kernel: per output its non-zero span, the weights as Float and
    /// Double, the input index times `stride`.
    func fusedTable(stride: Int, margin: Float?) -> FusedResampleTable {
        var start = [Int](), count = [Int](), wf = [Float](), wd = [Double](), offset = [Int]()
        for k in 0..<outputLength {
            start.append(wf.count); count.append(spans[k].count)
            for j in spans[k] {
                wf.append(Float(weights[k * taps + j])); wd.append(weights[k * taps + j])
                offset.append(indices[k * taps + j] * stride)
            }
        }
        return FusedResampleTable(outputLength: outputLength, maxTaps: taps, start: start, count: count, wf: wf, wd: wd,
                                  offset: offset, margin: margin ?? floatMargin)
    }
}
