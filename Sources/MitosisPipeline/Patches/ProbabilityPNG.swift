import MitosisImage

/// The tutorial's probability-map files: `<name>_prob.png` with R = P(not mitosis) and G = P(mitosis),
/// each scaled to 0...255 and rounded.
public enum ProbabilityPNG {
    /// Reads P(mitosis) (the green channel / 255) from a `_prob.png`, checking its size.
    public static func read(_ path: String, width: Int, height: Int) throws -> FloatPlane {
        let img = try ImageIO.read(path)
        guard img.width == width, img.height == height, img.channels >= 3 else {
            throw PipelineError.badFile(path: path, reason:
                "is a \(img.width)x\(img.height) \(img.channels)-channel image; expected the \(width)x\(height) RGB map of the working resolution. HINT: re-run `mitosis probmap`.")
        }
        var plane = FloatPlane(width: width, height: height)
        for i in 0..<(width * height) { plane.values[i] = Float(img.pixels[i * img.channels + 1]) / 255 }
        return plane
    }
}
