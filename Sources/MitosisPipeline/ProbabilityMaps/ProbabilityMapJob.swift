import Foundation
import MitosisData
import MitosisImage
import MitosisSupport

/// One image through step 5: read, resize to the working resolution, mask, map, write `<name>_prob.png`,
/// `<name>_class.png` and `<name>_logodds.tif` (see `ProbabilityImages`) atomically.
public struct ProbabilityMapJob {
    /// Downscale to the working resolution (0.5: 40x -> 20x, as the tutorial's models were trained).
    public var scale = 0.5
    /// Evaluate only inside the dilated blue-ratio mask: `<name>_cmask.png` beside the image when present
    /// (resized like the image), else computed on the working image with radius `20 * scale`.
    public var useMask = true
    public var outputFolder: URL
    /// Also write the full-precision `<name>_logodds.tif` (32-bit float log-odds of P(mitosis)); detection and
    /// the threshold sweep read it, because the 8-bit `_prob.png` saturates at 255 for P > 0.998.
    public var writeFloat = true
    /// Stain-normalise the working image before mapping (must match how the model's patches were made:
    /// `PatchOptions.stainNormalization`).
    public var stainNormalization: StainNormalizer?

    public init(outputFolder: URL, scale: Double = 0.5, useMask: Bool = true) {
        self.outputFolder = outputFolder; self.scale = scale; self.useMask = useMask
    }

    /// `<name>_prob.png` / `<name>_class.png` for an input image path.
    public func outputs(for image: URL) -> (prob: URL, class: URL) {
        let name = image.deletingPathExtension().lastPathComponent
        return (outputFolder.appendingPathComponent(name + "_prob.png"), outputFolder.appendingPathComponent(name + "_class.png"))
    }

    /// Both outputs exist (an interrupted batch resumes after them).
    public func isDone(_ image: URL) -> Bool {
        let o = outputs(for: image)
        let float = o.prob.path.dropLast("_prob.png".count) + ProbabilityImages.floatSuffix
        return FileManager.default.fileExists(atPath: o.prob.path) && FileManager.default.fileExists(atPath: o.class.path)
            && (!writeFloat || FileManager.default.fileExists(atPath: String(float)))
    }

    /// The working-resolution image and its mask (nil without `useMask`).
    public func inputs(_ url: URL) throws -> (image: Image, mask: Mask?) {
        let full = try ImageIO.read(url.path).convertedToChannels(3)
        let resized = scale == 1 ? full : try full.resized(scale: scale)
        let image = try StainNormalizer.apply(stainNormalization, to: resized, path: url.path)
        guard useMask else { return (image, nil) }
        let cmask = url.deletingPathExtension().path + "_cmask.png"
        if FileManager.default.fileExists(atPath: cmask) {
            let stored = try ImageIO.read(cmask)
            let bits = Mask(width: stored.width, height: stored.height,
                            bits: stride(from: 0, to: stored.pixels.count, by: stored.channels).map { stored.pixels[$0] > 0 })
            let mask = scale == 1 ? bits : try HelperMasks.resized(bits, scale: scale)
            if mask.width == image.width && mask.height == image.height { return (image, mask) }
        }
        let radius = max(1, Int((20 * scale).rounded()))
        return (image, BlueRatioSegmentation(resized, radius: radius).candidates)
    }

    /// Maps one image and writes its outputs; returns the map (P(mitosis), working resolution).
    @discardableResult
    public func run(_ url: URL, mapper: ProbabilityMapper) throws -> FloatPlane {
        let (image, mask) = try inputs(url)
        let (plane, complement) = try mapper.mapWithComplement(image: image, mask: mask)
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        let base = outputs(for: url).prob.path.dropLast("_prob.png".count)
        try ProbabilityImages.write(plane, base: String(base), complement: writeFloat ? complement : nil)
        return plane
    }

    /// What `mapAll` did.
    public struct BatchResult {
        public var computed = 0
        /// Images whose outputs were already there (an earlier, interrupted batch).
        public var skipped = 0
        /// Images that failed, with their error; the others were still mapped.
        public var failures: [(path: String, error: Error)] = []
    }

    /// Step 5 for a set of images: the one "map these images, skip finished ones" used by `mitosis run`,
    /// `mitosis refine` and `mitosis probmap`. The mapper is made only if there is something to map. A
    /// failing image does not stop the others unless `stopAtFirstFailure` (which then throws it, naming the
    /// image). `progress` gets (done, to do); `onMapped` each image's seconds.
    public func mapAll(_ images: [URL], force: Bool = false, stopAtFirstFailure: Bool = false,
                       mapper makeMapper: () throws -> ProbabilityMapper,
                       progress: ((Int, Int) -> Void)? = nil,
                       onMapped: ((URL, Double) -> Void)? = nil) throws -> BatchResult {
        let todo = force ? images : images.filter { !isDone($0) }
        var result = BatchResult(skipped: images.count - todo.count)
        guard !todo.isEmpty else { return result }
        try WritableFolder.prepare(outputFolder.path)
        let mapper = try makeMapper()
        progress?(0, todo.count)
        for (k, url) in todo.enumerated() {
            let start = Date()
            do {
                try run(url, mapper: mapper)
                result.computed += 1
                onMapped?(url, Date().timeIntervalSince(start))
            } catch {
                if stopAtFirstFailure {
                    throw PipelineError.badFile(path: url.path, reason: "probability map failed: \(error)")
                }
                result.failures.append((url.path, error))
            }
            progress?(k + 1, todo.count)
        }
        return result
    }

    /// Image files in `paths` (folders are listed, sorted; helper masks and outputs, maps and overlays, are left out).
    public static func images(in paths: [String]) throws -> [URL] {
        let helpers = ["_pc", "_cmask", "_prob", "_class", "_overlay"]
        let extensions: Set = ["tif", "tiff", "png", "jpg", "jpeg"]
        var result: [URL] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw PipelineError.missingInput(path: path, hint: "give image files or folders of images")
            }
            guard isFolder.boolValue else { result.append(URL(fileURLWithPath: path)); continue }
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            for name in names {
                let url = URL(fileURLWithPath: path).appendingPathComponent(name)
                let stem = url.deletingPathExtension().lastPathComponent
                if extensions.contains(url.pathExtension.lowercased()) && !helpers.contains(where: { stem.hasSuffix($0) }) {
                    result.append(url)
                }
            }
        }
        return result
    }
}
