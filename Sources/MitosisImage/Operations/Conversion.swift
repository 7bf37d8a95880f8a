// Channel conversions, masks as images, and cutting windows.

extension Image {
    /// The same pixels with `count` channels (1, 3 or 4):
    /// gray -> RGB replicates; RGB -> RGBA adds opaque alpha (255); RGBA -> RGB drops alpha (no
    /// compositing); colour -> gray is MATLAB `rgb2gray` (0.298936 R + 0.587043 G + 0.114021 B, rounded).
    public func convertedToChannels(_ count: Int) -> Image {
        precondition([1, 3, 4].contains(count), "channel count must be 1, 3 or 4")
        if count == channels { return self }
        var out = [UInt8](repeating: 255, count: width * height * count)
        for i in 0..<width * height {
            let p = i * channels, o = i * count
            if channels == 1 {
                for k in 0..<min(count, 3) { out[o + k] = pixels[p] }
            } else if count == 1 {
                let r = Double(pixels[p]), g = Double(pixels[p + 1]), b = Double(pixels[p + 2])
                let y = 0.298936021293775 * r + 0.587043074451121 * g + 0.114020904255103 * b
                out[o] = UInt8(min(max(y, 0), 255).rounded())
            } else {
                for k in 0..<3 { out[o + k] = pixels[p + k] }
            }
        }
        return Image(width: width, height: height, channels: count, pixels: out)
    }

    /// A gray image of `mask`: 255 where set, 0 elsewhere.
    public init(mask: Mask) {
        self.init(width: mask.width, height: mask.height, channels: 1, pixels: mask.bits.map { $0 ? 255 : 0 })
    }

    /// The `width x height` window whose top-left pixel is (`x`, `y`).
    /// - Throws: `ImageError.invalidArgument` if the window is empty or leaves the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> Image {
        try _checkWindow(x: x, y: y, width: w, height: h, inside: width, height)
        var out: [UInt8] = []
        out.reserveCapacity(w * h * channels)
        for row in y..<y + h {
            let start = (row * width + x) * channels
            out.append(contentsOf: pixels[start..<start + w * channels])
        }
        return Image(width: w, height: h, channels: channels, pixels: out)
    }
}

extension Mask {
    /// A mask of `image`'s nonzero pixels (any channel nonzero counts).
    public init(image: Image) {
        let c = image.channels
        let bits = (0..<image.width * image.height).map { i in
            (0..<c).contains { image.pixels[i * c + $0] != 0 }
        }
        self.init(width: image.width, height: image.height, bits: bits)
    }

    /// The window with top-left (`x`, `y`); throws `ImageError.invalidArgument` if it leaves the mask.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> Mask {
        try _checkWindow(x: x, y: y, width: w, height: h, inside: width, height)
        var out: [Bool] = []
        out.reserveCapacity(w * h)
        for row in y..<y + h { out.append(contentsOf: bits[row * width + x..<row * width + x + w]) }
        return Mask(width: w, height: h, bits: out)
    }
}

extension FloatPlane {
    /// The window with top-left (`x`, `y`); throws `ImageError.invalidArgument` if it leaves the plane.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> FloatPlane {
        try _checkWindow(x: x, y: y, width: w, height: h, inside: width, height)
        var out: [Float] = []
        out.reserveCapacity(w * h)
        for row in y..<y + h { out.append(contentsOf: values[row * width + x..<row * width + x + w]) }
        return FloatPlane(width: w, height: h, values: out)
    }
}

/// Throws unless the window is non-empty and inside a `width x height` raster. Not API.
func _checkWindow(x: Int, y: Int, width w: Int, height h: Int, inside width: Int, _ height: Int) throws {
    guard w > 0, h > 0, x >= 0, y >= 0, x <= width - w, y <= height - h else {
        throw ImageError.invalidArgument(
            "window \(w)x\(h) at (\(x), \(y)) does not fit inside the \(width)x\(height) image")
    }
}
