import Foundation
import MitosisImage

/// Where a slide holds tissue, at low resolution (`micronsPerPixel`, 8 um by default: 32x below 40x).
///
/// Method: the slide's lowest level at least this fine is read whole and resized (MATLAB bicubic) to the
/// mask's resolution; per pixel the optical density summed over R, G and B, `sum -log10((c + 1) / 256)`;
/// Otsu's threshold on it, kept within 0.12...0.30 (glass is about 0.05, the palest stroma about 0.3), so a
/// slide that is all tissue or all glass is not split in two; then a closing (disk 2 px) that joins tissue
/// torn by the threshold, an opening (disk 1 px) that drops dust, and components smaller than `minimumAreaMM2`
/// are removed. Transparent parts of a slide (outside its scanned area) read as white, i.e. glass.
public struct TissueMask: Sendable {
    public var mask: Mask
    /// um per mask pixel (the same along both axes).
    public var micronsPerPixel: Double
    /// The optical-density threshold used, and Otsu's own.
    public var threshold: Float
    public var otsu: Float
    /// The low-resolution RGB the mask was computed on (the thumbnail's background).
    public var image: Image

    public static let thresholdRange: ClosedRange<Float> = 0.12...0.30

    public init(mask: Mask, micronsPerPixel: Double, threshold: Float, otsu: Float, image: Image) {
        self.mask = mask; self.micronsPerPixel = micronsPerPixel; self.threshold = threshold; self.otsu = otsu; self.image = image
    }

    /// Tissue area in mm^2.
    public var areaMM2: Double {
        Double(mask.bits.reduce(0) { $1 ? $0 + 1 : $0 }) * micronsPerPixel * micronsPerPixel * 1e-6
    }

    public static func compute(_ slide: SlideReading, micronsPerPixel slideMicrons: Double, targetMicrons: Double = 8,
                               minimumAreaMM2: Double = 0.005) throws -> TissueMask {
        let want = targetMicrons / slideMicrons
        let level = slide.level(forDownsample: want)
        let l = slide.levels[level]
        let low = try slide.read(level: level, x: 0, y: 0, width: l.width, height: l.height)
        let w = max(1, Int((Double(slide.width) / want).rounded(.up))), h = max(1, Int((Double(slide.height) / want).rounded(.up)))
        let image = (w == low.width && h == low.height) ? low : try low.resized(width: w, height: h)
        return compute(image, micronsPerPixel: slideMicrons * Double(slide.width) / Double(w), minimumAreaMM2: minimumAreaMM2)
    }

    /// The mask of an RGB image at `micronsPerPixel`.
    public static func compute(_ image: Image, micronsPerPixel: Double, minimumAreaMM2: Double = 0.005) -> TissueMask {
        let table = (0..<256).map { Float(-log10((Double($0) + 1) / 256)) }
        let n = image.width * image.height, ch = image.channels
        var density = FloatPlane(width: image.width, height: image.height)
        for i in 0..<n {
            density.values[i] = table[Int(image.pixels[i * ch])] + table[Int(image.pixels[i * ch + 1])] + table[Int(image.pixels[i * ch + 2])]
        }
        let otsu = density.otsuThreshold()
        let t = min(max(otsu, thresholdRange.lowerBound), thresholdRange.upperBound)
        var mask = density.mask(above: t).dilated(disk: 2).eroded(disk: 2).eroded(disk: 1).dilated(disk: 1)
        let minimumPixels = minimumAreaMM2 / (micronsPerPixel * micronsPerPixel * 1e-6)
        let components = ConnectedComponents(mask)
        let small = Set(components.components.filter { Double($0.area) < minimumPixels }.map(\.label))
        if !small.isEmpty {
            for i in mask.bits.indices where mask.bits[i] && small.contains(Int(components.labels[i])) { mask.bits[i] = false }
        }
        return TissueMask(mask: mask, micronsPerPixel: micronsPerPixel, threshold: t, otsu: otsu, image: image.channels == 3 ? image : image.convertedToChannels(3))
    }

    /// Whether any tissue lies in the rectangle of working pixels `x` x `y` (working pixel size `working`).
    public func hasTissue(x: Range<Int>, y: Range<Int>, workingMicrons working: Double) -> Bool {
        let f = working / micronsPerPixel
        let x0 = max(0, Int((Double(x.lowerBound) * f).rounded(.down))), x1 = min(mask.width, Int((Double(x.upperBound) * f).rounded(.up)))
        let y0 = max(0, Int((Double(y.lowerBound) * f).rounded(.down))), y1 = min(mask.height, Int((Double(y.upperBound) * f).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return false }
        for yy in y0..<y1 { for xx in x0..<x1 where mask.bits[yy * mask.width + xx] { return true } }
        return false
    }
}
