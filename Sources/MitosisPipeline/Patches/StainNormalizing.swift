import MitosisImage
import MitosisSupport

extension StainNormalizer {
    /// `image` normalised by `normalizer`, or unchanged when it is nil; a failure names the image's file.
    static func apply(_ normalizer: StainNormalizer?, to image: Image, path: String) throws -> Image {
        guard let normalizer else { return image }
        do {
            return try normalizer.normalize(image)
        } catch {
            throw PipelineError.badFile(path: path, reason: "cannot be stain-normalised: \(error). HINT: leave it out, or run without --stain-normalize.")
        }
    }
}
