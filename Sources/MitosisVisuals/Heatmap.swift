import MitosisImage

/// P(mitosis) maps as pictures: a colour-mapped image, and the same blended over the H&E image.
public enum Heatmap {
    /// How strongly each pixel of the colour map covers the H&E image.
    public enum Blending: String, Sendable, Codable {
        /// Every pixel at `opacity`.
        case uniform
        /// `opacity * P`: tissue stays visible where the network sees nothing, mitoses stand out.
        case byValue
    }

    /// `plane` (values in 0...1) through `map`, one RGB pixel per value.
    public static func colorize(_ plane: FloatPlane, map: ColorMap = .inferno) -> Image {
        var pixels = [UInt8](repeating: 0, count: plane.values.count * 3)
        for (i, v) in plane.values.enumerated() {
            let c = map.color(v)
            pixels[3 * i] = c.r; pixels[3 * i + 1] = c.g; pixels[3 * i + 2] = c.b
        }
        return Image(width: plane.width, height: plane.height, channels: 3, pixels: pixels)
    }

    /// The colour-mapped `plane` blended over `image`.
    ///
    /// The plane may have another resolution than the image (a 1000x1000 map at 20x over a 2000x2000 tile at
    /// 40x, or over a thumbnail): it is resized to the image's size first (bicubic, `FloatPlane.resized`).
    /// - Parameter opacity: 0 (only the image) ... 1 (only the colour map).
    public static func overlay(_ plane: FloatPlane, on image: Image, map: ColorMap = .inferno, opacity: Double = 0.8,
                               blending: Blending = .byValue) throws -> Image {
        let fitted = (plane.width == image.width && plane.height == image.height)
            ? plane : try plane.resized(width: image.width, height: image.height)
        var canvas = Canvas(image)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = fitted[x, y]
                let p = v.isFinite ? Double(max(0, min(1, v))) : 0
                canvas.blend(x: x, y: y, map.color(Float(p)), alpha: blending == .uniform ? opacity : opacity * p)
            }
        }
        return canvas.image
    }

    /// A horizontal colour bar (low on the left) for legends, `width x height` pixels.
    public static func colorBar(width: Int = 256, height: Int = 12, map: ColorMap = .inferno) -> Image {
        var canvas = Canvas(width: width, height: height)
        for x in 0..<width {
            let c = map.color(width > 1 ? Float(x) / Float(width - 1) : 0)
            for y in 0..<height { canvas.blend(x: x, y: y, c) }
        }
        return canvas.image
    }
}
