// Shared helpers of the oneDNN kernel tests: seeded random buffers and a relative comparison.
import MitosisNN
import Testing

/// Deterministic values uniform in [-1, 1).
func kernelTestRandom(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
}

/// Expects `actual` to match `expected` within `tolerance` relative to the largest expected magnitude.
func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
    let scale = max(1, expected.map(abs).max() ?? 0)
    var worst: Float = 0, worstIndex = 0
    for i in 0..<min(actual.count, expected.count) where abs(actual[i] - expected[i]) > worst {
        worst = abs(actual[i] - expected[i]); worstIndex = i
    }
    #expect(worst <= tolerance * scale,
            "\(what): max |diff| \(worst) at \(worstIndex) (got \(actual[worstIndex]), want \(expected[worstIndex]))",
            sourceLocation: sourceLocation)
}

/// Calls `body` with base addresses of two read-only arrays and one mutable array.
func withBuffers<R>(_ a: [Float], _ b: [Float], _ out: inout [Float],
                    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { po in body(pa.baseAddress!, pb.baseAddress!, po.baseAddress!) }
        }
    }
}

/// Asserts that no primitive of a kernel is oneDNN's slow reference implementation.
func expectNoReference(_ implementations: [String: String], _ what: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
    for (pass, name) in implementations.sorted(by: { $0.key < $1.key }) {
        #expect(!name.hasPrefix("ref"), "\(what) \(pass) runs \(name)", sourceLocation: sourceLocation)
    }
}
