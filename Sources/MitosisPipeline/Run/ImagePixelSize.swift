import Foundation
import MitosisImage
import MitosisSupport

/// The pixel size of a dataset's images, in um: given by the user, else recorded in the image files (TIFF
/// resolution tags, as scanners write them), else the tutorial's 0.25 (40x), said out loud. Never a silent
/// guess: the resolution decides the downscale to the working resolution and every physical radius.
public enum ImagePixelSize {
    /// The tutorial's 40x images: about 0.25 um per pixel.
    public static let tutorialDefault = 0.25

    /// Where a dataset's pixel size came from.
    public enum Source: Sendable, Equatable {
        case given
        case recorded(images: Int, of: Int)
        case assumed
    }

    /// The pixel size of `images` (paths); `given` (e.g. `--pixel-size`) wins.
    /// - Throws: `PipelineError.invalidOption` when the files record sizes that differ by more than 2 %.
    public static func resolve(given: Double?, images: [String]) throws -> (micronsPerPixel: Double, source: Source) {
        if let given { return (given, .given) }
        let recorded = images.compactMap { path in ImageIO.pixelSizeMicrons(path).map { (path, $0) } }
        guard let first = recorded.first else { return (tutorialDefault, .assumed) }
        if let other = recorded.first(where: { abs($0.1 - first.1) > 0.02 * first.1 }) {
            throw PipelineError.invalidOption(
                "the images record different pixel sizes: \(first.0) \(format(first.1)) um, \(other.0) \(format(other.1)) um. "
                + "HINT: a run works at one pixel size per dataset: split the dataset by scanner, or give --pixel-size")
        }
        return (first.1, .recorded(images: recorded.count, of: images.count))
    }

    /// What to log about a resolved pixel size (a warning when assumed or recorded for only some images).
    public static func message(_ micronsPerPixel: Double, _ source: Source) -> (text: String, warning: Bool) {
        switch source {
        case .given:
            return ("pixel size \(format(micronsPerPixel)) um (given)", false)
        case let .recorded(n, total) where n == total:
            return ("pixel size \(format(micronsPerPixel)) um, recorded in the images", false)
        case let .recorded(n, total):
            return ("pixel size \(format(micronsPerPixel)) um, recorded in \(n) of \(total) images and assumed for the others; give --pixel-size to be sure", true)
        case .assumed:
            return ("no pixel size recorded in the images: assuming \(format(micronsPerPixel)) um (the tutorial's 40x). "
                    + "HINT: give --pixel-size (e.g. 0.2273 for a Hamamatsu NanoZoomer at 40x) if that is not your scanner's", true)
        }
    }

    static func format(_ v: Double) -> String { String(format: "%.4g", v) }
}

extension RunOptions {
    /// These options with every pixel quantity derived from the images' pixel size `p` (um) and
    /// `workingPixelSize`: the downscale to the working resolution (p / working), the positive-disk and
    /// candidate-mask radii (2 and 5 um, in image pixels), the match radius (7.5 um, as MIDOG's evaluation)
    /// and the grading pixel size. At 0.25 um/px they are the tutorial's 0.5, 8 px, 20 px and 30 px. The
    /// detector's radii are in working pixels, so they are physical already.
    public func resolved(imagePixelSize p: Double) -> RunOptions {
        var o = self
        o.imagePixelSize = p
        o.patches.scale = p / workingPixelSize
        o.patches.positiveRadius = max(1, Int((2 / p).rounded()))
        o.patches.candidateRadius = max(1, Int((5 / p).rounded()))
        o.matchRadius = 7.5 / p
        o.pixelSizeMicrons = p
        return o
    }
}
