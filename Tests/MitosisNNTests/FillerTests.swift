import Testing
@testable import MitosisNN

@Suite struct FillerTests {
    func fill(_ type: String, _ shape: [Int], configure: (inout FillerDefinition) -> Void = { _ in }) throws -> [Float] {
        var d = FillerDefinition(type: type)
        configure(&d)
        var g = SeededGenerator(seed: 42)
        return try Filler.values(count: shape.reduce(1, *), shape: shape, definition: d, generator: &g)
    }

    func meanStd(_ v: [Float]) -> (Double, Double) {
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot())
    }

    @Test func constantAndUniform() throws {
        #expect(try fill("constant", [3]) { $0.value = 2 } == [2, 2, 2])
        let u = try fill("uniform", [1000]) { $0.min = -2; $0.max = 3 }
        #expect(u.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(abs(meanStd(u).0 - 0.5) < 0.15)
    }

    @Test func gaussianMoments() throws {
        let (mean, std) = meanStd(try fill("gaussian", [20000]) { $0.mean = 1; $0.std = 0.5 })
        #expect(abs(mean - 1) < 0.02 && abs(std - 0.5) < 0.02)
    }

    @Test func xavierAndMsraUseCaffeFans() throws {
        // Conv weight (out 16, in 8, 3, 3): fan_in = count/num = 72, fan_out = count/channels = 144.
        let x = try fill("xavier", [16, 8, 3, 3])
        let scale = (3.0 / 72).squareRoot()
        #expect(x.allSatisfy { abs(Double($0)) <= scale })
        #expect(x.contains { abs(Double($0)) > 0.9 * scale })
        let xOut = try fill("xavier", [16, 8, 3, 3]) { $0.varianceNorm = "FAN_OUT" }
        #expect(xOut.allSatisfy { abs(Double($0)) <= (3.0 / 144).squareRoot() })
        let (_, std) = meanStd(try fill("msra", [64, 32, 5, 5]))  // fan_in 800
        #expect(abs(std - (2.0 / 800).squareRoot()) < 0.003)
        let (_, stdAvg) = meanStd(try fill("msra", [64, 32, 5, 5]) { $0.varianceNorm = "AVERAGE" })  // (800 + 1600)/2
        #expect(abs(stdAvg - (2.0 / 1200).squareRoot()) < 0.003)
    }

    @Test func seededAndUnknown() throws {
        #expect(try fill("gaussian", [10]) == fill("gaussian", [10]))
        #expect(throws: NNError.self) { try fill("bilinear", [2]) }
    }
}

@Suite struct GEMMTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matchesNaiveProduct(transA: Bool, transB: Bool) {
        for (m, n, k, threads) in [(5, 19, 7, 1), (33, 70, 130, 2), (1, 3, 2, 2), (9, 8, 300, 2)] {
            let a = randomTensor(transA ? [k, m] : [m, k], seed: 1).data
            let b = randomTensor(transB ? [n, k] : [k, n], seed: 2).data
            var c = randomTensor([m, n], seed: 3).data
            var expected = c
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k {
                        s += Double(transA ? a[p * m + i] : a[i * k + p]) * Double(transB ? b[j * k + p] : b[p * n + j])
                    }
                    expected[i * n + j] = Float(0.5 * s + 2 * Double(expected[i * n + j]))
                }
            }
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        GEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: pa.baseAddress!,
                                   lda: transA ? m : k, b: pb.baseAddress!, ldb: transB ? k : n, beta: 2,
                                   c: pc.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
            #expect(maxRelativeError(c, expected) < 1e-4, "m \(m) n \(n) k \(k)")
        }
    }
}
