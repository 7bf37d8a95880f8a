// InnerProductKernel (oneDNN) against naive loops written here.
import MitosisNN
import Testing

@Suite("oneDNN inner product kernel")
struct KernelInnerProductTests {
    static let shapes: [InnerProductGeometry] = [
        .init(batch: 3, inputs: 10, outputs: 4),
        .init(batch: 5, inputs: 64, outputs: 2),
        .init(batch: 1, inputs: 7, outputs: 9, hasBias: false),
    ]

    @Test(arguments: shapes)
    func forwardAndBackwardMatchNaiveLoops(_ g: InnerProductGeometry) {
        let x = kernelTestRandom(g.batch * g.inputs, seed: 21)
        let w = kernelTestRandom(g.outputs * g.inputs, seed: 22)
        let b = kernelTestRandom(g.outputs, seed: 23)
        let dy = kernelTestRandom(g.batch * g.outputs, seed: 24)
        var y = [Float](repeating: .nan, count: g.batch * g.outputs), wantY = y
        var dx = [Float](repeating: .nan, count: g.batch * g.inputs), wantDX = [Float](repeating: 0, count: dx.count)
        var dw = [Float](repeating: .nan, count: w.count), wantDW = [Float](repeating: 0, count: w.count)
        var db = [Float](repeating: .nan, count: g.outputs), wantDB = [Float](repeating: 0, count: g.outputs)
        for n in 0..<g.batch {
            for o in 0..<g.outputs {
                var sum: Float = g.hasBias ? b[o] : 0
                for i in 0..<g.inputs {
                    sum += x[n * g.inputs + i] * w[o * g.inputs + i]
                    wantDX[n * g.inputs + i] += dy[n * g.outputs + o] * w[o * g.inputs + i]
                    wantDW[o * g.inputs + i] += dy[n * g.outputs + o] * x[n * g.inputs + i]
                }
                wantY[n * g.outputs + o] = sum
                wantDB[o] += dy[n * g.outputs + o]
            }
        }
        let kernel = InnerProductKernel(g)
        b.withUnsafeBufferPointer { pb in
            withBuffers(x, w, &y) { kernel.forward(input: $0, weight: $1, bias: g.hasBias ? pb.baseAddress! : nil, output: $2) }
        }
        withBuffers(dy, w, &dx) { kernel.backwardData(outputGrad: $0, weight: $1, inputGrad: $2) }
        db.withUnsafeMutableBufferPointer { pdb in
            withBuffers(x, dy, &dw) {
                kernel.backwardWeights(input: $0, outputGrad: $1, weightGrad: $2, biasGrad: g.hasBias ? pdb.baseAddress! : nil)
            }
        }
        expectClose(y, wantY, "forward")
        expectClose(dx, wantDX, "backward data")
        expectClose(dw, wantDW, "backward weights")
        if g.hasBias { expectClose(db, wantDB, "backward bias") }
    }

    @Test func tutorialShapesAvoidReferenceKernels() {
        for (inputs, outputs) in [(1024, 64), (64, 2)] {
            let kernel = InnerProductKernel(InnerProductGeometry(batch: 128, inputs: inputs, outputs: outputs))
            kernel.prepareBackward()
            #expect(kernel.implementations.count == 3)
            expectNoReference(kernel.implementations, "ip \(inputs)->\(outputs)")
        }
    }
}
