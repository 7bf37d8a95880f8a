import Foundation
import MitosisImage
import MitosisNN
import MitosisSupport

/// Step 5 of the tutorial (`step5_create_output_images_kfold.py`): P(mitosis) at every pixel of an image at
/// the working resolution, by one or several models (averaged).
///
/// Geometry (the same as `PatchExtractor`): the patch of pixel (x, y) covers rows `y - S/2 ..< y - S/2 + S`
/// and the same columns (S = 32: `y-16 ... y+15`), so the pixel sits at 0-based offset 16; the image is
/// extended by MATLAB-style symmetric mirroring where patches leave it (the author pads by 16).
///
/// Departures from the tutorial: `.dense` (the default) evaluates the dilated rewrite of the net (see
/// `DenseRewrite`), which sees real neighbours where each patch saw zero padding and clipped pooling windows,
/// and subtracts the per-channel average of the mean image instead of the 32x32 mean image (a per-position
/// mean cannot be applied to a shared dense pass). `.exact` is the tutorial's per-patch evaluation.
/// With a mask, only masked pixels are evaluated (the tutorial's suggested speed-up); the rest are 0.
public final class ProbabilityMapper {
    public let options: ProbabilityMapOptions
    /// Side of the square input patches.
    public let patchSize: Int
    /// What the last `map` call did.
    public private(set) var statistics = Statistics()

    /// Work done by one `map` call.
    public struct Statistics: Sendable, Equatable {
        /// Dense tiles evaluated and skipped (mask empty there); patches classified in exact mode.
        public var tilesComputed = 0, tilesSkipped = 0, patches = 0
        /// Nominal FLOPs of the convolutions and inner products run (2 per multiply-add; pooling not counted).
        public var flops = 0.0
    }

    private let models: [ClassifierModel]
    /// FLOPs of one patch, summed over the models.
    private var patchFLOPs = 0.0
    private var classifier: PatchClassifier?
    private var denseModels: [(rewrite: DenseRewrite, means: [Float])] = []
    private var chains: [String: InferenceChain] = [:]

    /// - Throws: `PipelineError.invalidOption` if a net cannot be expressed (see `ClassifierPlan`).
    public init(models: [ClassifierModel], options: ProbabilityMapOptions = ProbabilityMapOptions()) throws {
        guard let first = models.first else { throw PipelineError.invalidOption("at least one model is needed") }
        self.models = models
        self.options = options
        patchSize = first.patchSize
        patchFLOPs = try models.reduce(0) { $0 + Self.flops(try ClassifierPlan($1)) }
        switch options.mode {
        case .exact:
            guard options.stride == 1 else { throw PipelineError.invalidOption("a map stride above 1 needs the dense mode (not --exact)") }
            classifier = try PatchClassifier(models: models, batch: options.batch, mirrorAverage: options.mirrorAverage)
        case .dense:
            denseModels = try models.map {
                (try DenseRewrite(try ClassifierPlan($0), outputStride: options.stride).folded(options.headFolding), $0.channelMeans)
            }
        }
    }

    /// P(mitosis) at every pixel of `image` (RGB or RGBA, working resolution); 0 outside `mask`.
    /// - Throws: `PipelineError.invalidOption` if the mask's size differs from the image's.
    public func map(image: Image, mask: Mask?) throws -> FloatPlane {
        try mapWithComplement(image: image, mask: mask).probability
    }

    /// P(mitosis) and P(not mitosis) per pixel. The second is computed from the scores directly, not as
    /// 1 - P, so it keeps the ranking among confident pixels where P rounds to 1 in single precision.
    public func mapWithComplement(image: Image, mask: Mask?) throws -> (probability: FloatPlane, complement: FloatPlane) {
        if let mask, mask.width != image.width || mask.height != image.height {
            throw PipelineError.invalidOption("mask is \(mask.width)x\(mask.height) but the image is \(image.width)x\(image.height)")
        }
        guard image.channels >= 3 else { throw PipelineError.invalidOption("probability maps need an RGB image, got \(image.channels) channel(s)") }
        statistics = Statistics()
        var (plane, complement) = options.mode == .exact ? mapExact(image, mask) : mapDense(image, mask)
        if let mask {
            for i in plane.values.indices where !mask.bits[i] { plane.values[i] = 0; complement.values[i] = 1 }
        }
        return (plane, complement)
    }

    // MARK: - Exact

    private func mapExact(_ image: Image, _ mask: Mask?) -> (FloatPlane, FloatPlane) {
        let w = image.width, h = image.height, s = patchSize, half = s / 2, ch = image.channels
        var plane = FloatPlane(width: w, height: h)
        var complement = FloatPlane(width: w, height: h, fill: 1)
        let pixels = (0..<(w * h)).filter { mask?.bits[$0] ?? true }
        statistics.patches = pixels.count
        statistics.flops = Double(pixels.count * (options.mirrorAverage ? 2 : 1)) * patchFLOPs
        let chunk = options.batch
        var rgb = [UInt8](repeating: 0, count: chunk * s * s * 3)
        var start = 0
        while start < pixels.count {
            let n = min(chunk, pixels.count - start)
            for k in 0..<n {
                let x = pixels[start + k] % w, y = pixels[start + k] / w
                var o = k * s * s * 3
                for py in 0..<s {
                    let row = symmetricIndex(y - half + py, h) * w
                    for px in 0..<s {
                        let i = (row + symmetricIndex(x - half + px, w)) * ch
                        rgb[o] = image.pixels[i]; rgb[o + 1] = image.pixels[i + 1]; rgb[o + 2] = image.pixels[i + 2]
                        o += 3
                    }
                }
            }
            let (p, q) = classifier!.probabilitiesWithComplement(rgb: rgb, count: n)
            for k in 0..<n { plane.values[pixels[start + k]] = p[k]; complement.values[pixels[start + k]] = q[k] }
            start += n
        }
        return (plane, complement)
    }

    // MARK: - Dense

    /// Equal tiles no larger than `maxTile` covering `size` (the last may overhang; the overhang is discarded).
    static func tileSide(_ size: Int, max: Int) -> Int {
        let count = (size + max - 1) / max
        return (size + count - 1) / count
    }

    private func mapDense(_ image: Image, _ mask: Mask?) -> (FloatPlane, FloatPlane) {
        let w = image.width, h = image.height, step = options.stride
        // The dense pass computes the coarse grid: pixel (step * i, step * j) for every i, j inside the image.
        let gh = (h + step - 1) / step, gw = (w + step - 1) / step
        let maxTile = max(1, options.maxTile / step)
        let th = Self.tileSide(gh, max: maxTile), tw = Self.tileSide(gw, max: maxTile)
        var plane = FloatPlane(width: gw, height: gh)
        var complement = FloatPlane(width: gw, height: gh)
        let views = options.mirrorAverage ? [false, true] : [false]
        let weight = 1 / Float(denseModels.count * views.count)
        var logits = [Float](repeating: 0, count: 2 * th * tw)
        for oy in stride(from: 0, to: gh, by: th) {
            for ox in stride(from: 0, to: gw, by: tw) {
                let rows = oy..<min(oy + th, gh), columns = ox..<min(ox + tw, gw)
                // Pixels whose value depends on this tile's points (up to step - 1 pixels beyond them).
                let pixelRows = max(0, step * oy - step + 1)..<min(h, step * (rows.upperBound - 1) + step)
                let pixelColumns = max(0, step * ox - step + 1)..<min(w, step * (columns.upperBound - 1) + step)
                if let mask, !pixelRows.contains(where: { y in pixelColumns.contains { mask.bits[y * w + $0] } }) {
                    statistics.tilesSkipped += 1
                    for y in rows { for x in columns { complement.values[y * gw + x] = 1 } }
                    continue
                }
                statistics.tilesComputed += 1
                statistics.flops += Double(views.count) * denseModels.reduce(0) { $0 + Self.flops($1.rewrite, th, tw) }
                for (index, model) in denseModels.enumerated() {
                    for mirrored in views {
                        denseTile(image, model: index, rewrite: model.rewrite, means: model.means, top: step * oy, left: step * ox,
                                  height: th, width: tw, mirrored: mirrored, into: &logits)
                        for y in rows {
                            for x in columns {
                                let j = (y - oy) * tw + (mirrored ? tw - 1 - (x - ox) : x - ox)
                                plane.values[y * gw + x] += weight * PatchClassifier.mitosisProbability(logits[j], logits[th * tw + j])
                                complement.values[y * gw + x] += weight * PatchClassifier.mitosisProbability(logits[th * tw + j], logits[j])
                            }
                        }
                    }
                }
            }
        }
        return step == 1 ? (plane, complement) : Self.interpolated(plane, complement, step: step, width: w, height: h)
    }

    /// Full-resolution P and 1 - P from the coarse grid (point (i, j) at pixel (step * i, step * j)): the
    /// log-odds are interpolated bilinearly between the four surrounding points (held constant past the last
    /// point of a row or column), and P and its complement are computed from them.
    static func interpolated(_ p: FloatPlane, _ q: FloatPlane, step: Int, width w: Int, height h: Int) -> (FloatPlane, FloatPlane) {
        let tiny = Float.leastNormalMagnitude
        let logOdds = zip(p.values, q.values).map { log(max($0, tiny)) - log(max($1, tiny)) }
        var plane = FloatPlane(width: w, height: h), complement = FloatPlane(width: w, height: h)
        // Per coordinate: the lower point, the upper point and the weight of the upper one.
        func axis(_ n: Int, _ points: Int) -> [(Int, Int, Float)] {
            (0..<n).map { v in
                let i0 = min(v / step, points - 1), i1 = min(i0 + 1, points - 1)
                return (i0, i1, i1 == i0 ? 0 : Float(v - step * i0) / Float(step))
            }
        }
        let ys = axis(h, p.height), xs = axis(w, p.width), gw = p.width
        for y in 0..<h {
            let (y0, y1, fy) = ys[y]
            for x in 0..<w {
                let (x0, x1, fx) = xs[x]
                let top = logOdds[y0 * gw + x0] + fx * (logOdds[y0 * gw + x1] - logOdds[y0 * gw + x0])
                let bottom = logOdds[y1 * gw + x0] + fx * (logOdds[y1 * gw + x1] - logOdds[y1 * gw + x0])
                let l = top + fy * (bottom - top)
                plane.values[y * w + x] = 1 / (1 + exp(-l))
                complement.values[y * w + x] = 1 / (1 + exp(l))
            }
        }
        return (plane, complement)
    }

    /// Scores (2, th, tw) of the dense pass for output pixels starting at (left, top); mirrored: of the
    /// left-right mirrored image, for the tile whose outputs mirror this one's (column j <-> tw - 1 - j).
    private func denseTile(_ image: Image, model: Int, rewrite: DenseRewrite, means: [Float], top: Int, left: Int,
                           height th: Int, width tw: Int, mirrored: Bool, into logits: inout [Float]) {
        let w = image.width, h = image.height, ch = image.channels, half = patchSize / 2
        let margin = rewrite.leadingMargin, (inH, inW) = rewrite.inputSize(height: th, width: tw)
        // Output m (pixel o0 + stride * m) reads input from its pixel - margin; input index i is pixel
        // o0 - margin + i - half. Mirrored: the patch of pixel x is the mirror of the patch at
        // x'' = W - x + 2*half - S in the mirrored image; the tile's last output mirrors to its first.
        let left0 = mirrored ? w - (left + rewrite.outputStride * (tw - 1)) + 2 * half - patchSize : left
        let rowIndex = (0..<inH).map { symmetricIndex(top - margin.h + $0 - half, h) }
        let columnIndex = (0..<inW).map { i -> Int in
            let x = left0 - margin.w + i - half
            return mirrored ? symmetricIndex(w - 1 - x, w) : symmetricIndex(x, w)
        }
        let plane = inH * inW
        var input = [Float](repeating: 0, count: 3 * plane)
        image.pixels.withUnsafeBufferPointer { px in
            for (r, y) in rowIndex.enumerated() {
                for (c, x) in columnIndex.enumerated() {
                    let i = (y * w + x) * ch, o = r * inW + c
                    input[o] = Float(px[i + 2]) - means[0]
                    input[plane + o] = Float(px[i + 1]) - means[1]
                    input[2 * plane + o] = Float(px[i]) - means[2]
                }
            }
        }
        let chain = chain(model: model, rewrite: rewrite, height: th, width: tw)
        input.withUnsafeBufferPointer { x in
            logits.withUnsafeMutableBufferPointer { chain.forward(input: x.baseAddress!, count: 1, output: $0.baseAddress!) }
        }
    }

    private func chain(model: Int, rewrite: DenseRewrite, height: Int, width: Int) -> InferenceChain {
        let key = "\(model):\(height)x\(width)"
        if let chain = chains[key] { return chain }
        let (stages, parameters) = rewrite.stages(height: height, width: width)
        let chain = InferenceChain(stages)
        for p in parameters { PatchClassifier.setParameters(chain, p.stage, p.weight, p.bias) }
        chains[key] = chain
        return chain
    }

    static func flops(_ rewrite: DenseRewrite, _ height: Int, _ width: Int) -> Double {
        var (h, w) = rewrite.inputSize(height: height, width: width), total = 0.0
        for op in rewrite.ops {
            (h, w) = DenseRewrite.outputSize(op, h, w)
            if case .convolution = op.kind {
                total += 2 * Double(op.inChannels * op.outChannels * op.kernelH * op.kernelW * h * w)
            }
        }
        return total
    }

    static func flops(_ plan: ClassifierPlan) -> Double {
        var h = plan.patchSize, w = plan.patchSize, total = 0.0
        for step in plan.steps {
            switch step {
            case let .convolution(p, _, _, c, _):
                h = h + 2 * p.padH - p.kernelH + 1; w = w + 2 * p.padW - p.kernelW + 1
                total += 2 * Double(c * p.numOutput * p.kernelH * p.kernelW * h * w)
            case let .pooling(p, c):
                let g = PoolingGeometry(method: p.method, batch: 1, channels: c, inHeight: h, inWidth: w, kernelH: p.kernelH,
                                        kernelW: p.kernelW, strideH: p.strideH, strideW: p.strideW)
                h = g.outHeight; w = g.outWidth
            case let .innerProduct(outputs, _, _, c, ih, iw, _):
                total += 2 * Double(outputs * c * ih * iw)
            }
        }
        return total
    }

    /// oneDNN implementations of the dense stages of the first model (after a dense `map`).
    public var denseImplementations: [String] { chains.sorted { $0.key < $1.key }.first?.value.implementations ?? [] }
}
