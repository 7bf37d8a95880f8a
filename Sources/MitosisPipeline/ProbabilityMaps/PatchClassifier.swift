import Foundation
import MitosisNN
import MitosisSupport

/// P(mitosis) of square RGB patches under one or several trained models (averaged), on oneDNN.
///
/// Step 5 of the tutorial classifies the patch around every pixel with Caffe's `Classifier`; its default
/// oversampling averaged each patch with its horizontal mirror, which `mirrorAverage` reproduces (the mean
/// image is subtracted after mirroring, as Caffe's transformer does). Several models are averaged in
/// probability. Input patches are 8-bit RGB, row-major H x W x 3, as step 1 saves them; each is converted to
/// BGR 0...255 minus the model's mean image, NCHW.
///
/// Not thread-safe: one caller at a time (oneDNN already uses every core for each batch).
public final class PatchClassifier {
    /// Side of the square patches (32 for the tutorial).
    public let patchSize: Int
    /// Patches per oneDNN call.
    public let batch: Int
    /// Average each patch's prediction with its horizontal mirror's.
    public let mirrorAverage: Bool
    /// oneDNN implementation of each stage of the first model, e.g. `jit:avx2`.
    public var implementations: [String] { models[0].chain.implementations }

    private let models: [(chain: InferenceChain, mean: [Float])]
    private var input: [Float]
    private var scores: [Float]

    /// - Throws: `PipelineError.invalidOption` if the models disagree on the patch size or a net is not a
    ///   straight two-class chain (see `ClassifierPlan`).
    public init(models: [ClassifierModel], batch: Int = 1024, mirrorAverage: Bool = false) throws {
        guard let first = models.first else { throw PipelineError.invalidOption("at least one model is needed") }
        guard models.allSatisfy({ $0.patchSize == first.patchSize }) else {
            throw PipelineError.invalidOption("the models take different patch sizes: \(models.map(\.patchSize))")
        }
        patchSize = first.patchSize
        self.batch = batch
        self.mirrorAverage = mirrorAverage
        self.models = try models.map { model in
            let (stages, parameters) = try ClassifierPlan(model).patchStages(batch: batch)
            let chain = InferenceChain(stages)
            for p in parameters { Self.setParameters(chain, p.stage, p.weight, p.bias) }
            return (chain, model.mean.data)
        }
        input = [Float](repeating: 0, count: batch * 3 * patchSize * patchSize)
        scores = [Float](repeating: 0, count: batch * 2)
    }

    static func setParameters(_ chain: InferenceChain, _ stage: Int, _ weight: [Float], _ bias: [Float]?) {
        weight.withUnsafeBufferPointer { w in
            if let bias {
                bias.withUnsafeBufferPointer { chain.setParameters(stage: stage, weight: w.baseAddress!, bias: $0.baseAddress!) }
            } else {
                chain.setParameters(stage: stage, weight: w.baseAddress!, bias: nil)
            }
        }
    }

    /// P(mitosis) of `count` patches stored back to back (each `patchSize * patchSize * 3` bytes, RGB).
    public func probabilities(rgb patches: [UInt8], count: Int) -> [Float] {
        probabilitiesWithComplement(rgb: patches, count: count).p
    }

    /// P(mitosis) and P(not mitosis) of `count` patches; the second keeps its precision where P rounds to 1.
    public func probabilitiesWithComplement(rgb patches: [UInt8], count: Int) -> (p: [Float], q: [Float]) {
        let bytes = patchSize * patchSize * 3
        precondition(patches.count >= count * bytes, "\(count) patches need \(count * bytes) bytes, got \(patches.count)")
        var result = [Float](repeating: 0, count: count)
        var complement = [Float](repeating: 0, count: count)
        let views = mirrorAverage ? [false, true] : [false]
        let weight = 1 / Float(models.count * views.count)
        var start = 0
        while start < count {
            let n = min(batch, count - start)
            for model in models {
                for mirrored in views {
                    fill(patches, from: start, count: n, mean: model.mean, mirrored: mirrored)
                    input.withUnsafeBufferPointer { x in
                        scores.withUnsafeMutableBufferPointer { model.chain.forward(input: x.baseAddress!, count: n, output: $0.baseAddress!) }
                    }
                    for i in 0..<n {
                        result[start + i] += weight * Self.mitosisProbability(scores[2 * i], scores[2 * i + 1])
                        complement[start + i] += weight * Self.mitosisProbability(scores[2 * i + 1], scores[2 * i])
                    }
                }
            }
            start += n
        }
        return (result, complement)
    }

    /// softmax(z)[1] for two scores, computed stably.
    @inline(__always)
    static func mitosisProbability(_ z0: Float, _ z1: Float) -> Float { 1 / (1 + Foundation.exp(z0 - z1)) }

    /// RGB HWC bytes -> BGR NCHW floats minus the mean, optionally mirrored left-right before the mean.
    private func fill(_ patches: [UInt8], from start: Int, count n: Int, mean: [Float], mirrored: Bool) {
        let s = patchSize, plane = s * s
        patches.withUnsafeBufferPointer { src in
            input.withUnsafeMutableBufferPointer { dst in
                mean.withUnsafeBufferPointer { m in
                    for k in 0..<n {
                        let p = src.baseAddress! + (start + k) * plane * 3, out = dst.baseAddress! + k * plane * 3
                        for y in 0..<s {
                            for x in 0..<s {
                                let from = (y * s + (mirrored ? s - 1 - x : x)) * 3, to = y * s + x
                                out[to] = Float(p[from + 2]) - m[to]
                                out[plane + to] = Float(p[from + 1]) - m[plane + to]
                                out[2 * plane + to] = Float(p[from]) - m[2 * plane + to]
                            }
                        }
                    }
                }
            }
        }
    }
}
