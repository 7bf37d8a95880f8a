import MitosisImage
import MitosisVisuals

/// Colours and sizes of the detection overlay.
///
/// Colours (there is no legend in the picture; the report prints this key):
/// - green ring: detection that matches a ground-truth mitosis (true positive);
/// - orange-red ring: detection with no mitosis within the match radius (false positive);
/// - cyan ring, larger: ground-truth mitosis that no detection found (false negative);
/// - thin white ring, larger: ground-truth mitosis that was found (drawn under its green detection).
public struct OverlayStyle: Sendable, Codable, Equatable {
    /// Ring radius around a point, in 40x pixels (ground-truth rings are `truthRadiusFactor` times larger).
    public var radius: Double
    public var truthRadiusFactor: Double
    /// Smallest ring radius in output pixels, so rings stay visible on small thumbnails.
    public var minimumRadius: Double
    /// Stroke width in output pixels (the white matched-truth ring uses half).
    public var thickness: Double
    /// Matching radius in 40x pixels (the field's 30 px = 7.5 um).
    public var matchRadius: Double
    public var truePositive: RGBColor
    public var falsePositive: RGBColor
    public var falseNegative: RGBColor
    public var matchedTruth: RGBColor

    public init(radius: Double = 24, truthRadiusFactor: Double = 1.3, minimumRadius: Double = 4, thickness: Double = 2,
                matchRadius: Double = 30, truePositive: RGBColor = RGBColor(0, 200, 70),
                falsePositive: RGBColor = RGBColor(255, 72, 0), falseNegative: RGBColor = RGBColor(0, 190, 255),
                matchedTruth: RGBColor = .white) {
        self.radius = radius; self.truthRadiusFactor = truthRadiusFactor; self.minimumRadius = minimumRadius
        self.thickness = thickness; self.matchRadius = matchRadius
        self.truePositive = truePositive; self.falsePositive = falsePositive
        self.falseNegative = falseNegative; self.matchedTruth = matchedTruth
    }
}

/// Detections and ground truth drawn on an image at any scale.
public enum Overlay {
    /// Where a 40x point lands on an image drawn at `scale` (output pixels per 40x pixel), in continuous
    /// canvas coordinates: pixel index i has its centre at i + 0.5 at every scale.
    public static func canvasPosition(of p: Point, scale: Double) -> (x: Double, y: Double) {
        ((p.x + 0.5) * scale, (p.y + 0.5) * scale)
    }

    /// `image` with rings at `truth` and `detections`, coloured by the matching (see `OverlayStyle`).
    /// - Parameters:
    ///   - truth, detections: centres in 40x pixel coordinates.
    ///   - scale: output pixels per 40x pixel (1 for the 40x tile, 0.5 for a 20x map, 0.1 for a thumbnail).
    public static func draw(on image: Image, truth: [Point], detections: [Point], scale: Double,
                            style: OverlayStyle = OverlayStyle()) -> Image {
        let matches = Matching.match(truth: truth, detections: detections, radius: style.matchRadius)
        let matchedTruth = Set(matches.map(\.truth)), matchedDetections = Set(matches.map(\.detection))
        let r = max(style.minimumRadius, style.radius * scale)
        let rt = max(style.minimumRadius * style.truthRadiusFactor, style.radius * style.truthRadiusFactor * scale)
        var canvas = Canvas(image)
        func ring(_ p: Point, _ radius: Double, _ thickness: Double, _ color: RGBColor) {
            let c = canvasPosition(of: p, scale: scale)
            canvas.ring(cx: c.x, cy: c.y, radius: radius, thickness: thickness, color)
        }
        for i in truth.indices where matchedTruth.contains(i) {
            ring(truth[i], rt, max(1, style.thickness / 2), style.matchedTruth)
        }
        for (j, d) in detections.enumerated() {
            ring(d, r, style.thickness, matchedDetections.contains(j) ? style.truePositive : style.falsePositive)
        }
        for i in truth.indices where !matchedTruth.contains(i) {
            ring(truth[i], rt, style.thickness, style.falseNegative)
        }
        return canvas.image
    }
}
