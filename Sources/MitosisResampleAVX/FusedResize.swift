// The fused uint8 resize kernel of MitosisImage's `ResizeFused.swift`, alone in a module compiled with
// `-target-cpu haswell` (AVX2: eight Floats per instruction). Swift marks no multiply-add as contractible,
// so no FMA is emitted (checked: `objdump -d` of the kernel shows none) and the Double fallback rounds every
// product and sum as the reference passes do, which the tests check bit for bit. MitosisImage calls it
// only where `CPUFeatures.haswellClass` holds; elsewhere it runs its Double passes. Nothing else may live
// here: any code of this module may use those instructions.
//
// The tables, margins and the proof that the result is the Double passes' bit for bit are MitosisImage's
// (ResizeFused.swift); this file only runs them.
import MitosisSupport

/// One dimension's compact tap lists (the non-zero span of each output), as `ResizeFused.swift` builds them.
public struct FusedResampleTable: Sendable {
    public var outputLength: Int
    /// The longest tap list.
    public var maxTaps: Int
    /// Per output: the first of its taps in `wf`/`wd`/`offset`, and how many.
    public var start: [Int], count: [Int]
    /// Per tap: the weight as Float and as Double, and the sample offset it reads (input row for the rows
    /// pass; sample in the row for the columns pass).
    public var wf: [Float], wd: [Double], offset: [Int]
    /// Float sums within this of a rounding boundary are taken again in Double.
    public var margin: Float
    public init(outputLength: Int, maxTaps: Int, start: [Int], count: [Int], wf: [Float], wd: [Double], offset: [Int], margin: Float) {
        self.outputLength = outputLength; self.maxTaps = maxTaps; self.start = start; self.count = count
        self.wf = wf; self.wd = wd; self.offset = offset; self.margin = margin
    }
}

/// Rows pass then columns pass of a uint8 HWC image with 1-4 channels into `output`
/// (`vertical.outputLength x horizontal.outputLength x channels`). Call only where `CPUFeatures.haswellClass`.
public func fusedResizeRowsFirstUInt8(_ input: UnsafeBufferPointer<UInt8>, width: Int, channels: Int,
                                      vertical: FusedResampleTable, horizontal: FusedResampleTable,
                                      output: UnsafeMutablePointer<UInt8>) {
    precondition((1...4).contains(channels))
    let rowLength = width * channels
    // Converted rows are padded to whole 16-sample chunks plus 8 samples, so that the columns pass's
    // four-sample loads of the last pixel stay inside the row.
    let padded = (rowLength + 15) / 16 * 16 + 8
    let outWidth = horizontal.outputLength, outHeight = vertical.outputLength
    let ringSize = vertical.maxTaps + 2
    let out = SharedBuffer(output)
    let pairs = PairedTaps(horizontal)
    ParallelChunks.forEach(outHeight, costPerItem: rowLength * vertical.maxTaps + outWidth * channels * horizontal.maxTaps) { rows in
        let ring = UnsafeMutablePointer<Float>.allocate(capacity: ringSize * padded)
        let tags = UnsafeMutablePointer<Int>.allocate(capacity: ringSize)
        let line = UnsafeMutablePointer<Float>.allocate(capacity: padded)
        let rowsIn = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: vertical.maxTaps)
        let weightsIn = UnsafeMutablePointer<Float>.allocate(capacity: vertical.maxTaps)
        defer { ring.deallocate(); tags.deallocate(); line.deallocate(); rowsIn.deallocate(); weightsIn.deallocate() }
        tags.initialize(repeating: -1, count: ringSize)
        line.initialize(repeating: 0, count: padded)
        /// Input row `r` as Float (cached in the ring; the rows of one output are distinct modulo its size).
        func converted(_ r: Int) -> UnsafePointer<Float> {
            let slot = r % ringSize, row = ring + slot * padded
            if tags[slot] != r {
                let from = input.baseAddress! + r * rowLength
                for i in 0..<rowLength { row[i] = Float(from[i]) }
                for i in rowLength..<padded { row[i] = 0 }
                tags[slot] = r
            }
            return UnsafePointer(row)
        }
        for k in rows {
            // Rows pass: output row k into `line`, as exact integers in Float.
            let vs = vertical.start[k], vn = vertical.count[k]
            for t in 0..<vn { rowsIn[t] = converted(vertical.offset[vs + t]); weightsIn[t] = vertical.wf[vs + t] }
            var i = 0
            while i < rowLength {
                // Sixteen samples: two sums in registers while the taps go by.
                var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
                for t in 0..<vn {
                    let w = SIMD8<Float>(repeating: weightsIn[t]), from = UnsafeRawPointer(rowsIn[t] + i)
                    a += w * from.loadUnaligned(as: SIMD8<Float>.self)
                    b += w * from.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                }
                @inline(__always) func store(_ acc: SIMD8<Float>, at j: Int) {
                    var rounded = roundedUInt8(acc, margin: vertical.margin)
                    if let near = rounded.near {
                        for lane in 0..<8 where near[lane] != 0 && j + lane < rowLength {
                            var exact = 0.0
                            for t in 0..<vn { exact += vertical.wd[vs + t] * Double(rowsIn[t][j + lane]) }
                            rounded.value[lane] = Float(roundedUInt8(exact))
                        }
                    }
                    UnsafeMutableRawPointer(line + j).storeBytes(of: rounded.value, as: SIMD8<Float>.self)
                }
                store(a, at: i)
                store(b, at: i + 8)
                i += 16
            }
            // Columns pass: two output pixels at a time, each pixel's channels as four lanes of one sum.
            let target = out.base + k * outWidth * channels
            for p in 0..<pairs.start.count {
                let ps = pairs.start[p], pn = pairs.count[p]
                var acc = SIMD8<Float>(repeating: 0)
                for t in 0..<pn {
                    let w = pairs.weights[ps + t], o = pairs.offsets[ps + t]
                    acc += w * SIMD8<Float>(lowHalf: UnsafeRawPointer(line + o.0).loadUnaligned(as: SIMD4<Float>.self),
                                            highHalf: UnsafeRawPointer(line + o.1).loadUnaligned(as: SIMD4<Float>.self))
                }
                let rounded = roundedUInt8(acc, margin: horizontal.margin)
                for half in 0..<(2 * p + 1 < outWidth ? 2 : 1) {
                    let x = 2 * p + half
                    for c in 0..<channels {
                        if let near = rounded.near, near[4 * half + c] != 0 {
                            let hs = horizontal.start[x]
                            var exact = 0.0
                            for t in 0..<horizontal.count[x] { exact += horizontal.wd[hs + t] * Double(line[horizontal.offset[hs + t] + c]) }
                            target[x * channels + c] = roundedUInt8(exact)
                        } else {
                            target[x * channels + c] = UInt8(truncatingIfNeeded: Int32(rounded.value[4 * half + c]))
                        }
                    }
                }
            }
        }
    }
}

/// The columns pass's taps for output pixels 2p and 2p + 1 side by side: per tap the two weights, each
/// repeated over four lanes, and the two sample offsets; the shorter list padded with zero weights (which
/// add exact zeros to the Float sums; the Double fallback reads the table's own lists).
struct PairedTaps {
    var start: [Int] = [], count: [Int] = []
    var weights: [SIMD8<Float>] = [], offsets: [(Int, Int)] = []

    init(_ table: FusedResampleTable) {
        for p in 0..<((table.outputLength + 1) / 2) {
            let a = 2 * p, b = min(2 * p + 1, table.outputLength - 1)
            let n = max(table.count[a], table.count[b])
            start.append(weights.count); count.append(n)
            for t in 0..<n {
                func tap(_ x: Int) -> (Float, Int) {
                    let s = table.start[x], c = table.count[x]
                    guard c > 0 else { return (0, 0) }
                    return t < c ? (table.wf[s + t], table.offset[s + t]) : (0, table.offset[s + c - 1])
                }
                let (wa, oa) = tap(a), (wb, ob) = b == a ? (0, oa) : tap(b)
                weights.append(SIMD8<Float>(lowHalf: SIMD4(repeating: wa), highHalf: SIMD4(repeating: wb)))
                offsets.append((oa, ob))
            }
        }
    }
}

/// MitosisImage's `UInt8(_resampled:)` (MATLAB's uint8 store: clamped to 0...255, half away from zero),
/// repeated here because this module cannot import MitosisImage (which imports it) and MitosisImage's
/// own must stay baseline code: the tests compare the two paths bit for bit.
@inline(__always)
func roundedUInt8(_ value: Double) -> UInt8 {
    let v = Swift.min(Swift.max(value, 0), 255)
    let whole = Int(v)
    return UInt8(truncatingIfNeeded: v - Double(whole) >= 0.5 ? whole + 1 : whole)
}

/// MATLAB's uint8 store of each lane of a Float sum, as Float, and the lanes within `margin` of a rounding
/// boundary (all bits set; nil when none is), whose results must come from the Double sum instead. Only
/// arithmetic, comparisons and bit operations on the masks' integer lanes (the generic `replacing`,
/// `clamped`, `pointwiseMin/Max` and comparisons of `SIMDMask`s compile to lane-by-lane loops or calls).
@inline(__always)
func roundedUInt8(_ sum: SIMD8<Float>, margin: Float) -> (value: SIMD8<Float>, near: SIMD8<Int32>?) {
    let zero = SIMD8<Float>(repeating: 0), top = SIMD8<Float>(repeating: 255)
    let v = select((sum .> top)._storage, top, else: select((sum .< zero)._storage, zero, else: sum))
    // Half away from zero for v >= 0 is floor(v + 0.5). t = v + 0.5 may round (by at most 2^-17 below
    // 256, or where v is tiny and far from any boundary), far inside the margin's factor 2 of safety.
    // floor(t) for 0 <= t < 2^23 without libm: adding and removing 2^23 rounds to the nearest integer,
    // one too high where that is above t.
    let t = v + SIMD8<Float>(repeating: 0.5)
    let big = SIMD8<Float>(repeating: 0x1p23)
    let nearest = (t + big) - big
    let floor = nearest - select((nearest .> t)._storage, SIMD8<Float>(repeating: 1), else: zero)
    // The distance from t to the nearest integer is v's from the nearest boundary m + 0.5.
    let fraction = t - floor
    let m = SIMD8<Float>(repeating: margin)
    let near = (fraction .< m)._storage | (fraction .> SIMD8<Float>(repeating: 1) - m)._storage
    let four = near.lowHalf | near.highHalf, two = four.lowHalf | four.highHalf
    return (floor, two[0] | two[1] == 0 ? nil : near)
}

/// `a` where `mask` (a comparison's lanes: all bits or none), else `b`.
@inline(__always)
func select(_ mask: SIMD8<Int32>, _ a: SIMD8<Float>, else b: SIMD8<Float>) -> SIMD8<Float> {
    let m = unsafeBitCast(mask, to: SIMD8<UInt32>.self)
    return unsafeBitCast((unsafeBitCast(a, to: SIMD8<UInt32>.self) & m) | (unsafeBitCast(b, to: SIMD8<UInt32>.self) & ~m),
                         to: SIMD8<Float>.self)
}
