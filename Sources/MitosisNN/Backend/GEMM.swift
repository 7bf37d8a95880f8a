import Dispatch
import Foundation

/// Single-precision matrix multiply in Swift, row-major: `C = alpha * op(A) * op(B) + beta * C`.
///
/// Transposed operands are packed into row-major copies, then a 4x8 register-blocked kernel (SIMD8 columns,
/// four rows of A broadcast) runs over cache blocks of K. Work is split over columns (or rows when C is
/// narrow) across threads with `DispatchQueue.concurrentPerform`.
public enum GEMM {
    /// All active processors.
    public static let defaultThreads = ProcessInfo.processInfo.activeProcessorCount

    /// - Parameters: `m`, `n`, `k`: C is m x n, op(A) m x k, op(B) k x n. `lda`, `ldb`, `ldc` are the row
    ///   strides of A, B, C as stored (before transposition).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1) {
        if m == 0 || n == 0 { return }
        scale(c, rows: m, cols: n, ldc: ldc, by: beta)
        if k == 0 || alpha == 0 { return }
        var packedA: [Float] = []
        var packedB: [Float] = []
        var aPtr = a, aStride = lda, bPtr = b, bStride = ldb
        if transA {
            packedA = transpose(a, rows: k, cols: m, ld: lda)
            aStride = k
        }
        if transB {
            packedB = transpose(b, rows: n, cols: k, ld: ldb)
            bStride = n
        }
        packedA.withUnsafeBufferPointer { pa in
            packedB.withUnsafeBufferPointer { pb in
                if transA { aPtr = pa.baseAddress! }
                if transB { bPtr = pb.baseAddress! }
                let work = m * n * k
                let parts = work < 32_768 ? 1 : Swift.max(1, threads)
                let ap = aPtr, bp = bPtr, sa = aStride, sb = bStride
                if parts == 1 {
                    kernel(rows: 0..<m, cols: 0..<n, k: k, alpha: alpha, a: ap, lda: sa, b: bp, ldb: sb, c: c, ldc: ldc)
                } else if n >= 16 * parts {
                    let chunk = ((n + parts - 1) / parts + 7) / 8 * 8
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let cols = Swift.min(n, part * chunk)..<Swift.min(n, (part + 1) * chunk)
                        kernel(rows: 0..<m, cols: cols, k: k, alpha: alpha, a: ap, lda: sa, b: bp, ldb: sb, c: c, ldc: ldc)
                    }
                } else {
                    let chunk = ((m + parts - 1) / parts + 3) / 4 * 4
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let rows = Swift.min(m, part * chunk)..<Swift.min(m, (part + 1) * chunk)
                        kernel(rows: rows, cols: 0..<n, k: k, alpha: alpha, a: ap, lda: sa, b: bp, ldb: sb, c: c, ldc: ldc)
                    }
                }
            }
        }
    }

    static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int, by beta: Float) {
        if beta == 1 { return }
        for i in 0..<rows {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: cols) } else { for j in 0..<cols { row[j] *= beta } }
        }
    }

    /// Row-major (cols x rows) copy of a row-major (rows x cols) matrix with row stride `ld`.
    static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: rows * cols) { dst, count in
            for r in 0..<rows {
                let s = src + r * ld
                for col in 0..<cols { dst[col * rows + r] = s[col] }
            }
            count = rows * cols
        }
    }

    static let blockK = 128

    /// C[rows, cols] += alpha * A[rows, :] * B[:, cols], A and B row-major, not transposed.
    static func kernel(rows: Range<Int>, cols: Range<Int>, k: Int, alpha: Float, a: UnsafePointer<Float>,
                       lda: Int, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if rows.isEmpty || cols.isEmpty { return }
        var p0 = 0
        while p0 < k {
            let p1 = Swift.min(k, p0 + blockK)
            var i = rows.lowerBound
            while i + 4 <= rows.upperBound {
                block4(i: i, cols: cols, p0: p0, p1: p1, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
                i += 4
            }
            while i < rows.upperBound {
                block1(i: i, cols: cols, p0: p0, p1: p1, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
                i += 1
            }
            p0 = p1
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    static func block4(i: Int, cols: Range<Int>, p0: Int, p1: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                       b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        let c0 = c + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        var j = cols.lowerBound
        while j + 8 <= cols.upperBound {
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            for p in p0..<p1 {
                let bv = load8(b + p * ldb + j)
                s0 += a0[p] * bv; s1 += a1[p] * bv; s2 += a2[p] * bv; s3 += a3[p] * bv
            }
            store8(load8(c0 + j) + alpha * s0, c0 + j)
            store8(load8(c1 + j) + alpha * s1, c1 + j)
            store8(load8(c2 + j) + alpha * s2, c2 + j)
            store8(load8(c3 + j) + alpha * s3, c3 + j)
            j += 8
        }
        while j < cols.upperBound {
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            for p in p0..<p1 {
                let bv = b[p * ldb + j]
                s0 += a0[p] * bv; s1 += a1[p] * bv; s2 += a2[p] * bv; s3 += a3[p] * bv
            }
            c0[j] += alpha * s0; c1[j] += alpha * s1; c2[j] += alpha * s2; c3[j] += alpha * s3
            j += 1
        }
    }

    static func block1(i: Int, cols: Range<Int>, p0: Int, p1: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                       b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let a0 = a + i * lda, c0 = c + i * ldc
        var j = cols.lowerBound
        while j + 8 <= cols.upperBound {
            var s0 = SIMD8<Float>()
            for p in p0..<p1 { s0 += a0[p] * load8(b + p * ldb + j) }
            store8(load8(c0 + j) + alpha * s0, c0 + j)
            j += 8
        }
        while j < cols.upperBound {
            var s0: Float = 0
            for p in p0..<p1 { s0 += a0[p] * b[p * ldb + j] }
            c0[j] += alpha * s0
            j += 1
        }
    }
}
