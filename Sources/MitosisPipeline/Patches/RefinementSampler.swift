import MitosisImage
import MitosisSupport

/// Step 6 of the tutorial (`step6_make_patches_probs_based_blue_ratio.m`): second-round patches of one
/// training image, resampled with the round-1 probability map so that hard negatives dominate.
///
/// - positives: every positive pixel (as step 1), at `positiveAngles` (the author's `0:15:345`, 24 angles);
/// - negatives: `patchesPerImage - positives` pixels drawn WITH replacement, with probability proportional to
///   the round-1 P(mitosis), from the candidate mask minus the dilated ground truth, at `negativeAngles`.
///   When the map is zero everywhere there, the draw is uniform. Draws are numbered in draw order, so a pixel
///   drawn twice gives two patch numbers, as in the author's code.
public struct RefinementSampler: Sendable {
    /// Step-1 geometry (patch size, scale, exclusion dilation, interpolation, seed).
    public var options: PatchOptions
    /// Positive angles (the author's every 15 degrees).
    public var positiveAngles = Array(stride(from: 0, to: 360, by: 15))
    /// Negative angles.
    public var negativeAngles = [0, 90, 180, 270]
    /// Positive plus negative pixels per image (the author's 3636).
    public var pixelsPerImage = 3636
    /// When set, `pixelsPerImage` is meant for an image of this many working-resolution pixels (the author's
    /// 2000x2000 images at 20x: 1,000,000) and each image gets its area's share, so small images are not
    /// flooded with negatives. `nil`: every image gets `pixelsPerImage`, as the author's script.
    public var referenceArea: Int?
    /// Never fewer negative patches than positive ones: at least `positives x positive angles / negative angles`
    /// negative pixels. Without it (the author's rule) an image with more positive pixels than its share gets no
    /// negatives at all, which happens to small images dense in mitoses once the count is scaled to the area.
    public var balanceNegatives = false
    /// Cut each patch's pixels (false: only record where it is, for a sample-only archive).
    public var cutsPixels = true

    /// Negative pixels to draw for an image with `positives` positive pixels.
    public func negativeCount(width: Int, height: Int, positives: Int) -> Int {
        let rest = max(0, pixels(width: width, height: height) - positives)
        guard balanceNegatives, !negativeAngles.isEmpty else { return rest }
        return max(rest, (positives * positiveAngles.count + negativeAngles.count - 1) / negativeAngles.count)
    }

    /// Positive plus negative pixels for a working image of `width` x `height`.
    public func pixels(width: Int, height: Int) -> Int {
        guard let area = referenceArea, area > 0 else { return pixelsPerImage }
        return Int((Double(pixelsPerImage) * Double(width * height) / Double(area)).rounded())
    }

    public init(options: PatchOptions) { self.options = options }

    /// The patch options that describe round-2 archives (for their index and list files).
    public var roundOptions: PatchOptions {
        var o = options
        o.positiveAngles = positiveAngles
        o.negativeAngles = negativeAngles
        return o
    }

    /// Cuts the second-round patches of one image. `probability` is P(mitosis) at the working resolution.
    public func extract(_ inputs: PatchExtractor.Inputs, probability: FloatPlane, stream: UInt64) -> [Patch] {
        precondition(probability.width == inputs.image.width && probability.height == inputs.image.height,
                     "probability map and image sizes differ")
        var extractor = PatchExtractor(options: options)
        extractor.cutsPixels = cutsPixels
        let w = inputs.image.width, h = inputs.image.height
        let padded = inputs.image.paddedSymmetric(by: options.padding)
        let exclusion = inputs.positives.dilated(squareIterations: options.exclusionDilation)
        var positives: [Int] = [], candidates: [Int] = [], weights: [Double] = []
        for i in 0..<(w * h) where extractor.fitsWindow(x: i % w, y: i / w, imageWidth: w, imageHeight: h) {
            if inputs.positives.bits[i] { positives.append(i) }
            else if inputs.candidates.bits[i] && !exclusion.bits[i] {
                candidates.append(i)
                weights.append(Double(max(0, probability.values[i])))
            }
        }
        var rng = SeededRandom(seed: options.seed, stream: stream &+ 0x5EC0_4D)
        let draws = SeededSampling.withReplacement(candidates, weights: weights,
                                                   count: negativeCount(width: w, height: h, positives: positives.count), using: &rng)
        var patches: [Patch] = []
        extractor.cut(positives, label: 1, angles: positiveAngles, from: padded, width: w, into: &patches)
        extractor.cut(draws, label: 0, angles: negativeAngles, from: padded, width: w, into: &patches)
        return patches
    }
}

extension SeededSampling {
    /// `count` draws with replacement, each element chosen with probability proportional to its weight
    /// (uniformly when all weights are zero). Empty when there are no items.
    public static func withReplacement<T>(_ items: [T], weights: [Double], count: Int,
                                          using rng: inout SeededRandom) -> [T] {
        guard !items.isEmpty, count > 0 else { return [] }
        var cumulative = [Double](repeating: 0, count: weights.count)
        var total = 0.0
        for (i, w) in weights.enumerated() { total += w; cumulative[i] = total }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            if total <= 0 {
                out.append(items[Int(rng.next() % UInt64(items.count))])
                continue
            }
            let u = rng.unit() * total
            // First index whose cumulative weight exceeds u: never a zero-weight item.
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            out.append(items[lo])
        }
        return out
    }
}
