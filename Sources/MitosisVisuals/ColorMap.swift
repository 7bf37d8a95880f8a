/// A perceptual colour map: a 256-entry table interpolated linearly (in sRGB) between evenly spaced anchors.
///
/// The anchors are nine samples of matplotlib's `inferno` and `viridis` (van der Walt & Smith); nine anchors
/// keep the interpolated luminance monotone, which the tests check.
public struct ColorMap: Sendable, Equatable {
    /// 256 colours, index 0 for value 0 and 255 for value 1.
    public let table: [RGBColor]

    /// Interpolates `anchors` (at least two, evenly spaced over 0...1) into 256 entries.
    public init(anchors: [RGBColor]) {
        precondition(anchors.count >= 2, "a colour map needs at least two anchors")
        table = (0..<256).map { i in
            let t = Double(i) / 255 * Double(anchors.count - 1)
            let k = min(anchors.count - 2, Int(t))
            return anchors[k].mixed(with: anchors[k + 1], t - Double(k))
        }
    }

    /// Colour of `value`, clamped to 0...1 (NaN maps to 0).
    public func color(_ value: Float) -> RGBColor {
        guard value.isFinite else { return table[0] }
        return table[Int((max(0, min(1, value)) * 255).rounded())]
    }

    /// Black - purple - red - orange - pale yellow.
    public static let inferno = ColorMap(anchors: [
        RGBColor(0, 0, 4), RGBColor(31, 12, 72), RGBColor(85, 15, 109), RGBColor(136, 34, 106), RGBColor(186, 54, 85),
        RGBColor(227, 89, 50), RGBColor(249, 140, 10), RGBColor(249, 201, 50), RGBColor(252, 255, 164),
    ])

    /// Dark purple - blue - green - yellow.
    public static let viridis = ColorMap(anchors: [
        RGBColor(68, 1, 84), RGBColor(71, 45, 123), RGBColor(59, 82, 139), RGBColor(44, 114, 142), RGBColor(33, 145, 140),
        RGBColor(40, 174, 128), RGBColor(94, 201, 98), RGBColor(173, 220, 48), RGBColor(253, 231, 37),
    ])
}
