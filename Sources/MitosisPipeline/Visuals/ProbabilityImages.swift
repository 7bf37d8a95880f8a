import Foundation
import MitosisImage
import MitosisSupport
import MitosisVisuals

/// The tutorial's step-5 output images (`step5_create_output_images_kfold.py`).
///
/// - `<name>_prob.png`: RGB, R = P(not mitosis), G = P(mitosis), B = 0, each `round(255 * P)`. With two classes
///   P(not mitosis) = 1 - P(mitosis), so R + G is 255 (+/- 1 from rounding).
/// - `<name>_class.png`: the argmax as a binary gray image, 255 where P(mitosis) > P(not mitosis) (P > 0.5),
///   0 elsewhere. The tutorial only says "a binary image using the argmax"; its script writes class indices
///   0/1, which an 8-bit viewer shows as black, so we store 0/255 to make the image readable. A tie (P = 0.5)
///   is "not mitosis", as NumPy's argmax returns the first maximum.
public enum ProbabilityImages {
    /// Encodes P(mitosis) as a `_prob.png` image.
    public static func probImage(_ plane: FloatPlane) -> Image {
        var pixels = [UInt8](repeating: 0, count: plane.values.count * 3)
        for (i, v) in plane.values.enumerated() {
            let p = v.isFinite ? max(0, min(1, v)) : 0
            pixels[3 * i] = UInt8(((1 - p) * 255).rounded())
            pixels[3 * i + 1] = UInt8((p * 255).rounded())
        }
        return Image(width: plane.width, height: plane.height, channels: 3, pixels: pixels)
    }

    /// P(mitosis) from a `_prob.png` image: the green channel / 255 (to within 0.5 / 255 of what was encoded).
    /// - Throws: `PipelineError.badFile` for an image without three or four channels.
    public static func probability(fromProbImage image: Image, path: String = "<memory>") throws -> FloatPlane {
        guard image.channels >= 3 else {
            throw PipelineError.badFile(path: path, reason: "a _prob image needs RGB channels (G = P(mitosis)), found \(image.channels)")
        }
        var plane = FloatPlane(width: image.width, height: image.height)
        for i in 0..<plane.values.count { plane.values[i] = Float(image.pixels[i * image.channels + 1]) / 255 }
        return plane
    }

    /// P(mitosis) of a stored map. `path` is a `<name>_prob.png` or a `<name>_logodds.tif`; for the PNG, the
    /// full-precision `<name>_logodds.tif` beside it is read instead when present (8-bit maps saturate at 255).
    /// - Throws: the reader's error naming the file, or `PipelineError.badFile`.
    public static func readMap(_ path: String) throws -> FloatPlane {
        if let logOdds = try readLogOdds(path) {
            return FloatPlane(width: logOdds.width, height: logOdds.height, values: logOdds.values.map { 1 / (1 + expf(-$0)) })
        }
        return try probability(fromProbImage: ImageIO.read(path), path: path)
    }

    /// The log-odds map ln(P / (1 - P)) for `path` (a `_logodds.tif`, or the `_prob.png` it sits beside),
    /// or nil when there is none.
    public static func readLogOdds(_ path: String) throws -> FloatPlane? {
        if path.hasSuffix(floatSuffix) { return try FloatTIFF.read(path) }
        if path.hasSuffix("_prob.png") {
            let float = String(path.dropLast("_prob.png".count)) + floatSuffix
            if FileManager.default.fileExists(atPath: float) { return try FloatTIFF.read(float) }
        }
        return nil
    }

    /// Suffix of the full-precision map: `<name>_logodds.tif`, ln(P / (1 - P)) of P(mitosis) as one 32-bit
    /// float per pixel (clamped to +/-100; pixels outside the mask are -100). Log-odds keep the ranking of
    /// confident pixels, whose P rounds to 1 even in single precision.
    public static let floatSuffix = "_logodds.tif"

    /// Log-odds from P(mitosis) and P(not mitosis), each computed directly from the network's scores.
    public static func logOdds(probability p: FloatPlane, complement q: FloatPlane) -> FloatPlane {
        var out = FloatPlane(width: p.width, height: p.height)
        for i in out.values.indices {
            let v = logf(p.values[i]) - logf(q.values[i])
            out.values[i] = v.isNaN ? 0 : min(100, max(-100, v))
        }
        return out
    }

    /// The argmax as a `_class.png` image: 255 for mitosis (P > 0.5), 0 otherwise.
    public static func classImage(_ plane: FloatPlane) -> Image {
        Image(width: plane.width, height: plane.height, channels: 1, pixels: plane.values.map { $0 > 0.5 ? 255 : 0 })
    }

    /// Writes `<base>_prob.png` and `<base>_class.png` atomically (creating the folder); returns their paths.
    /// With `complement` (P(not mitosis), see `ProbabilityMapper.mapWithComplement`), also `<base>_logodds.tif`.
    /// The files are written side by side; if any fails, the others are removed and the first failure (in
    /// the order log-odds, prob, class) is thrown.
    /// - Parameter base: path without the suffix, e.g. `out/01_01`.
    @discardableResult
    public static func write(_ plane: FloatPlane, base: String, complement: FloatPlane? = nil) throws -> (prob: String, class: String) {
        let paths = (prob: base + "_prob.png", class: base + "_class.png")
        let folder = URL(fileURLWithPath: base).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // zlib level 3: half the time of the default 6 for 0.4 % more bytes on real maps (PIL, a 756x675 map).
        let png = ImageWriteOptions(pngCompressionLevel: 3)
        // The three files are independent (each is written atomically, and a map counts as done only when
        // all are there), so they are encoded and written side by side on both cores.
        // If one fails, the others written are removed again, so a map is either all there or not at all.
        var writes: [(path: String, write: () throws -> Void)] = [
            (paths.prob, { try ImageIO.write(probImage(plane), to: paths.prob, options: png) }),
            (paths.class, { try ImageIO.write(classImage(plane), to: paths.class, options: png) }),
        ]
        if let complement {
            let float = base + floatSuffix
            writes.insert((float, { try FloatTIFF.write(logOdds(probability: plane, complement: complement), to: float) }), at: 0)
        }
        let results = ParallelMap.map(writes) { job in Result { try job.write() } }
        if let failure = results.first(where: { if case .failure = $0 { return true } else { return false } }) {
            for (job, result) in zip(writes, results) { if case .success = result { unlink(job.path) } }
            try failure.get()
        }
        return paths
    }
}
