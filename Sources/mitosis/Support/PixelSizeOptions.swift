import ArgumentParser
import Logging
import MitosisPipeline

/// `--pixel-size` and `--working-pixel-size` for the step-by-step commands, as `mitosis run` takes them:
/// the images' pixel size (given, else recorded in their files, else the tutorial's 0.25 with a warning)
/// gives the downscale to the working resolution and the 7.5 um match radius, unless `--scale` or a radius
/// in pixels is given explicitly.
struct PixelSizeOptions: ParsableArguments {
    @Option(help: "Pixel size of the images in um (default: from their TIFF resolution tags, else 0.25 with a warning).")
    var pixelSize: Double?

    @Option(help: "Working resolution in um per pixel, the network's input (the tutorial's 20x).")
    var workingPixelSize = 0.5

    func validate() throws {
        if let pixelSize, !(pixelSize > 0 && pixelSize < 100) { throw ValidationError("--pixel-size must be a positive size in um, got \(pixelSize)") }
        guard workingPixelSize > 0, workingPixelSize < 100 else { throw ValidationError("--working-pixel-size must be a positive size in um, got \(workingPixelSize)") }
    }

    /// The images' pixel size in um, logged (a warning when assumed).
    func micronsPerPixel(images: [String], log: Logger) throws -> Double {
        let resolved = try ImagePixelSize.resolve(given: pixelSize, images: images)
        let note = ImagePixelSize.message(resolved.micronsPerPixel, resolved.source)
        if note.warning { log.warning("\(note.text)") } else { log.info("\(note.text)") }
        return resolved.micronsPerPixel
    }

    /// `explicit` (a `--scale`), else the images' pixel size over the working one.
    func scale(explicit: Double?, images: [String], log: Logger) throws -> Double {
        if let explicit { return explicit }
        return try micronsPerPixel(images: images, log: log) / workingPixelSize
    }

    /// `explicit` (a radius in image pixels), else 7.5 um in the images' pixels.
    func matchRadius(explicit: Double?, images: [String], log: Logger) throws -> Double {
        if let explicit { return explicit }
        return 7.5 / (try micronsPerPixel(images: images, log: log))
    }
}
