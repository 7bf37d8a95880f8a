// mitosis-bench: per-layer forward/backward times of the tutorial net on the oneDNN kernels (like
// `caffe time`), training images/s (forward + backward, no solver) and inference patches/s.
//
// Usage: mitosis-bench [--batch 128] [--inference-batch 1024] [--iterations 20] [--runs 3] [--peak 201.6] [--pool-layouts]
// (--pool-layouts: only compare the pooling kernel's two layouts, then exit)
import Dispatch
import Foundation
import MitosisNN

/// Options from the command line.
struct Options {
    var batch = 128, inferenceBatch = 1024, iterations = 20, runs = 3, peak = 201.6
    init(_ args: [String]) {
        var i = 1
        while i + 1 < args.count {
            let value = Int(args[i + 1]) ?? 0
            switch args[i] {
            case "--batch": batch = value
            case "--inference-batch": inferenceBatch = value
            case "--iterations": iterations = value
            case "--runs": runs = value
            case "--peak": peak = Double(args[i + 1]) ?? peak
            case "--pool-layouts": i -= 1
            default: fatalError("unknown option \(args[i])")
            }
            i += 2
        }
    }
}

/// A buffer of random floats in [-1, 1) that lives for the whole run.
func buffer(_ count: Int, seed: UInt64 = 1) -> UnsafeMutablePointer<Float> {
    var rng = SeededGenerator(seed: seed)
    let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
    for i in 0..<count { p[i] = rng.nextUnitFloat() * 2 - 1 }
    return p
}

/// One timed step of the net.
struct Step {
    var name: String
    var forwardFLOPs: Double
    var backwardFLOPs: Double
    var implementation: String
    var forward: () -> Void
    var backward: () -> Void
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

let options = Options(CommandLine.arguments)
/// The FP32 FMA peak on all cores (GFLOP/s) that the figures are fractions of: pass the one `fma-peak`
/// measures on this machine (Benchmarks/speed-ratios.sh does). Machines of this class differ: 201.6 is a
/// 2-core Zen 3 (256-bit FMAs, 32 FLOP/cycle); a 2-core Zen 5 with AVX-512 measured 452.
let peak = options.peak
print("oneDNN \(DNNL.version), runtime \(DNNL.runtime), \(DNNL.threadCount) threads")

// MARK: - Pooling layouts: oneDNN on nChw8c with reorders vs oneDNN's plain-NCHW loop

if CommandLine.arguments.contains("--pool-layouts") {
    for (method, channels, size) in [(PoolingDefinition.Method.max, 32, 32), (.average, 32, 16), (.average, 64, 8)] {
        let g = PoolingGeometry(method: method, batch: options.batch, channels: channels, inHeight: size, inWidth: size,
                                kernelH: 3, kernelW: 3, strideH: 2, strideW: 2)
        let x = buffer(g.inputShape.reduce(1, *)), y = buffer(g.outputShape.reduce(1, *))
        let dx = buffer(g.inputShape.reduce(1, *)), dy = buffer(g.outputShape.reduce(1, *))
        for blocked in [true, false] {
            let k = PoolingKernel(g, blocked: blocked)
            var f: [Double] = [], b: [Double] = []
            for _ in 0..<20 {
                var t0 = now(); k.forward(input: x, output: y); f.append(Double(now() - t0) / 1e6)
                t0 = now(); k.backward(input: x, outputGrad: dy, inputGrad: dx); b.append(Double(now() - t0) / 1e6)
            }
            print("\(method) \(size)x\(size)x\(channels) \(blocked ? "nChw8c+reorders" : "plain nchw"): "
                  + "forward \(f.sorted()[10]) ms, backward \(b.sorted()[10]) ms (median), \(k.implementations)")
        }
    }
    exit(0)
}

// MARK: - Training: forward + backward per layer

let training = TutorialNet(batch: options.batch, inference: false)
var forwardTimes = [[Double]](repeating: [], count: training.steps.count)
var backwardTimes = forwardTimes
var iterationTimes: [Double] = []
for _ in 0..<3 { training.steps.forEach { $0.forward() }; training.steps.reversed().forEach { $0.backward() } }
for _ in 0..<(options.runs * options.iterations) {
    var total = 0.0
    for (i, s) in training.steps.enumerated() {
        let t0 = now(); s.forward(); let t = Double(now() - t0) / 1e6
        forwardTimes[i].append(t); total += t
    }
    for (i, s) in training.steps.enumerated().reversed() {
        let t0 = now(); s.backward(); let t = Double(now() - t0) / 1e6
        backwardTimes[i].append(t); total += t
    }
    iterationTimes.append(total)
}

func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

print("\nTraining, batch \(options.batch), \(options.runs * options.iterations) iterations (median / best ms)")
print(pad("layer", 8), pad("forward", 16), pad("backward", 16), pad("fwd GFLOP/s", 12), pad("bwd GFLOP/s", 12), "implementation")
for (i, s) in training.steps.enumerated() {
    let f = median(forwardTimes[i]), b = median(backwardTimes[i])
    let fg = s.forwardFLOPs > 0 ? fmt(s.forwardFLOPs / f / 1e6, 1) : "-"
    let bg = s.backwardFLOPs > 0 ? fmt(s.backwardFLOPs / b / 1e6, 1) : "-"
    print(pad(s.name, 8), pad("\(fmt(f)) / \(fmt(forwardTimes[i].min()!))", 16),
          pad("\(fmt(b)) / \(fmt(backwardTimes[i].min()!))", 16), pad(fg, 12), pad(bg, 12), s.implementation)
}
let flops = training.steps.reduce(0) { $0 + $1.forwardFLOPs + $1.backwardFLOPs }
for (label, ms) in [("median", median(iterationTimes)), ("best", iterationTimes.min()!)] {
    let gflops = flops / ms / 1e6
    print("training \(label): \(fmt(ms)) ms/iteration, \(fmt(Double(options.batch) / ms * 1000, 0)) images/s, "
          + "\(fmt(gflops, 1)) GFLOP/s (\(fmt(100 * gflops / peak, 0)) % of the \(fmt(peak, 1)) peak), "
          + "nominal \(fmt(flops / Double(options.batch) / 1e6, 1)) MFLOP/image")
}

// MARK: - Inference: forward only

let inference = TutorialNet(batch: options.inferenceBatch, inference: true)
var inferenceTimes: [Double] = []
var inferenceLayerTimes = [[Double]](repeating: [], count: inference.steps.count)
inference.steps.forEach { $0.forward() }
for _ in 0..<max(3, options.runs * options.iterations / 4) {
    var total = 0.0
    for (i, s) in inference.steps.enumerated() {
        let t0 = now(); s.forward(); let t = Double(now() - t0) / 1e6
        inferenceLayerTimes[i].append(t); total += t
    }
    inferenceTimes.append(total)
}
print("\nInference, batch \(options.inferenceBatch) (median ms per layer): "
      + zip(inference.steps, inferenceLayerTimes).map { "\($0.name) \(fmt(median($1)))" }.joined(separator: ", "))
let inferenceFLOPs = inference.steps.reduce(0) { $0 + $1.forwardFLOPs }
for (label, ms) in [("median", median(inferenceTimes)), ("best", inferenceTimes.min()!)] {
    let gflops = inferenceFLOPs / ms / 1e6
    print("inference \(label): \(fmt(ms)) ms/batch, \(fmt(Double(options.inferenceBatch) / ms * 1000, 0)) patches/s, "
          + "\(fmt(gflops, 1)) GFLOP/s (\(fmt(100 * gflops / peak, 0)) % of the \(fmt(peak, 1)) peak)")
}

// MARK: - Inference through the fused chain (blocked layouts, ReLU post-ops, weights reordered once)

print("\nInference, InferenceChain, \(options.inferenceBatch) patches per call")
let patches = buffer(options.inferenceBatch * 3 * 32 * 32, seed: 99)
let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: options.inferenceBatch * 2)
for chunk in [32, 64, 128, 256, 512, 1024] {
    let chain = InferenceChain(tutorialStages(batch: chunk))
    var seed: UInt64 = 200
    for (i, stage) in tutorialStages(batch: chunk).enumerated() {
        let sizes: (Int, Int)?
        switch stage {
        case let .convolution(g, _): sizes = (g.weightShape.reduce(1, *), g.outChannels)
        case let .innerProduct(g, _): sizes = (g.outputs * g.inputs, g.outputs)
        case .pooling: sizes = nil
        }
        guard let (w, b) = sizes else { continue }
        seed += 2
        chain.setParameters(stage: i, weight: buffer(w, seed: seed), bias: buffer(b, seed: seed + 1))
    }
    chain.forward(input: patches, count: options.inferenceBatch, output: probabilities)
    var times: [Double] = []
    for _ in 0..<max(3, options.runs * options.iterations / 4) {
        let t0 = now()
        chain.forward(input: patches, count: options.inferenceBatch, output: probabilities)
        times.append(Double(now() - t0) / 1e6)
    }
    let best = times.min()!, med = median(times)
    print("chunk \(chunk): median \(fmt(med)) ms, \(fmt(Double(options.inferenceBatch) / med * 1000, 0)) patches/s; "
          + "best \(fmt(best)) ms, \(fmt(Double(options.inferenceBatch) / best * 1000, 0)) patches/s, "
          + "\(fmt(inferenceFLOPs / best / 1e6, 1)) GFLOP/s (\(fmt(100 * inferenceFLOPs / best / 1e6 / peak, 0)) % of the \(fmt(peak, 1)) peak)"
          + (chunk == 32 ? "; stages: \(chain.implementations.joined(separator: ", "))" : ""))
}

/// The tutorial net as chain stages (ReLU fused into conv1, ahead of the max pooling it commutes with).
func tutorialStages(batch: Int) -> [InferenceChain.Stage] {
    func conv(_ i: Int, _ o: Int, _ s: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: batch, inChannels: i, inHeight: s, inWidth: s, outChannels: o, kernelH: 5, kernelW: 5, padH: 2, padW: 2)
    }
    func pool(_ m: PoolingDefinition.Method, _ c: Int, _ s: Int) -> PoolingGeometry {
        PoolingGeometry(method: m, batch: batch, channels: c, inHeight: s, inWidth: s, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2)
    }
    return [
        .convolution(conv(3, 32, 32), relu: true), .pooling(pool(.max, 32, 32)),
        .convolution(conv(32, 32, 16), relu: true), .pooling(pool(.average, 32, 16)),
        .convolution(conv(32, 64, 8), relu: true), .pooling(pool(.average, 64, 8)),
        .innerProduct(InnerProductGeometry(batch: batch, inputs: 1024, outputs: 64), relu: false),
        .innerProduct(InnerProductGeometry(batch: batch, inputs: 64, outputs: 2), relu: false),
    ]
}
