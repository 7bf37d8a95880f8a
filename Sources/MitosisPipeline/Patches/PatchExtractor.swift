import Foundation
import MitosisData
import MitosisImage
import MitosisSupport

/// Step 1 of the tutorial (`step1_make_patches.m`): positive and negative 32x32 patches of one image.
///
/// Follows the author's code (see the README's table "How `mitosis run` follows the tutorial, and where it departs"):
/// - the image and its `_pc` / `_cmask` helper masks are resized by `scale` (MATLAB `imresize`, bicubic with
///   antialiasing) and padded by `padding` pixels with `symmetric` mirroring;
/// - positives are every non-zero pixel of the resized `_pc` mask, each cut at every positive angle;
/// - negatives are `round(negativeRatio * positives)` pixels drawn without replacement from the resized
///   `_cmask` minus the positives dilated `exclusionDilation` times by a 3x3 square, each cut at every
///   negative angle;
/// - a patch is the central `patchSize` square of the `2*patchSize` window around the pixel, rotated about
///   the window's centre with the output cropped; the labelled pixel sits at offset `patchSize/2`.
///   Pixels whose window would leave the padded image are dropped.
public struct PatchExtractor: Sendable {
    public var options: PatchOptions
    /// Cut each patch's pixels (false: only record where it is, for a sample-only archive).
    public var cutsPixels = true

    public init(options: PatchOptions) { self.options = options }

    /// The working-resolution inputs of one image.
    public struct Inputs: Sendable {
        /// RGB image at the working resolution.
        public var image: Image
        /// Positive pixels (resized `_pc` mask, non-zero).
        public var positives: Mask
        /// Candidate pixels for negatives (resized `_cmask`, non-zero).
        public var candidates: Mask
    }

    /// Loads an image with its helper masks (made from the CSV / blue ratio when missing) and resizes them.
    public func inputs(for item: DatasetImage, order: CSVOrder = .xy) throws -> Inputs {
        let full = try ImageIO.read(item.imagePath).convertedToChannels(3)
        let masks = try HelperMasks.load(item, image: full, order: order,
                                         positiveRadius: options.positiveRadius, candidateRadius: options.candidateRadius)
        let image = try workingImage(full, path: item.imagePath)
        let positives = try HelperMasks.resized(masks.positive, scale: options.scale)
        let candidates = try HelperMasks.resized(masks.candidate, scale: options.scale)
        return Inputs(image: image, positives: positives, candidates: candidates)
    }

    /// The RGB image patches are cut from, before padding: resized to the working resolution and stain
    /// normalised as `options` say.
    public func workingImage(for item: DatasetImage) throws -> Image {
        try workingImage(ImageIO.read(item.imagePath).convertedToChannels(3), path: item.imagePath)
    }

    func workingImage(_ full: Image, path: String) throws -> Image {
        try StainNormalizer.apply(options.stainNormalization, to: full.resized(scale: options.scale), path: path)
    }

    /// Cuts all patches of one image. `stream` seeds this image's negative sampling.
    public func extract(_ inputs: Inputs, stream: UInt64) -> [Patch] {
        let o = options
        let w = inputs.image.width, h = inputs.image.height
        let padded = inputs.image.paddedSymmetric(by: o.padding)
        let exclusion = inputs.positives.dilated(squareIterations: o.exclusionDilation)
        var positives: [Int] = [], negatives: [Int] = []
        for i in 0..<(w * h) {
            guard fitsWindow(x: i % w, y: i / w, imageWidth: w, imageHeight: h) else { continue }
            if inputs.positives.bits[i] { positives.append(i) }
            else if inputs.candidates.bits[i] && !exclusion.bits[i] { negatives.append(i) }
        }
        let wanted = Int((o.negativeRatio * Double(positives.count)).rounded())
        var rng = SeededRandom(seed: o.seed, stream: stream)
        let chosen = SeededSampling.withoutReplacement(negatives, count: wanted, using: &rng)
        var patches: [Patch] = []
        patches.reserveCapacity(positives.count * o.positiveAngles.count + chosen.count * o.negativeAngles.count)
        cut(positives, label: 1, angles: o.positiveAngles, from: padded, width: w, into: &patches)
        cut(chosen, label: 0, angles: o.negativeAngles, from: padded, width: w, into: &patches)
        return patches
    }

    /// Cuts `pixels` (row-major indices into the unpadded image) at each angle; patch numbers are 1-based.
    func cut(_ pixels: [Int], label: UInt8, angles: [Int], from padded: Image, width: Int, into out: inout [Patch]) {
        let samplers = angles.map { sampler(angle: $0, padded: padded) }
        let o = options, shift = o.padding - o.windowSize / 2
        for (k, i) in pixels.enumerated() {
            let x = i % width, y = i / width
            for (angle, sampler) in zip(angles, samplers) {
                out.append(Patch(label: label, index: UInt32(k + 1), angle: Int16(angle), x: UInt16(x), y: UInt16(y),
                                 pixels: cutsPixels ? sampler.sample(padded, left: x + shift, top: y + shift) : []))
            }
        }
    }

    /// The rotated patch around unpadded pixel (x, y).
    public func patch(at x: Int, _ y: Int, angle: Int, padded: Image) -> [UInt8] {
        let shift = options.padding - options.windowSize / 2
        return sampler(angle: angle, padded: padded).sample(padded, left: x + shift, top: y + shift)
    }

    /// The table that cuts patches at `angle` from `padded`: the central `patchSize` square of the
    /// `windowSize` window rotated about its centre (callers check `fitsWindow`).
    func sampler(angle: Int, padded: Image) -> RotationSampler {
        RotationSampler(degrees: Double(angle), windowSize: options.windowSize, outputSize: options.patchSize,
                        interpolation: options.interpolation == .nearest ? .nearest : .bilinear,
                        rowStride: padded.width, channels: padded.channels)
    }

    /// Whether the window around unpadded pixel (x, y) lies inside the padded image.
    func fitsWindow(x: Int, y: Int, imageWidth w: Int, imageHeight h: Int) -> Bool {
        let o = options, win = o.windowSize
        let left = x + o.padding - win / 2, top = y + o.padding - win / 2
        return left >= 0 && top >= 0 && left + win <= w + 2 * o.padding && top + win <= h + 2 * o.padding
    }
}

/// Seeded sampling helpers shared by steps 1 and 6.
public enum SeededSampling {
    /// `count` distinct elements in a seeded random order (all of them, shuffled, if there are fewer).
    public static func withoutReplacement<T>(_ items: [T], count: Int, using rng: inout SeededRandom) -> [T] {
        var pool = items
        let n = min(count, pool.count)
        for i in 0..<n {
            let j = i + Int(rng.next() % UInt64(pool.count - i))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(n))
    }
}
