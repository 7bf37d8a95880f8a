import MitosisImage

/// The tutorial's blue-ratio segmentation, which restricts where negatives are sampled (`_cmask.png`).
///
/// `BR = (100 * B / (1 + R + G)) * (256 / (1 + R + G + B))` is high where hematoxylin stains nuclei blue and
/// low in eosin-pink stroma and white background. The threshold is Otsu's on the blue-ratio image (MATLAB
/// `graythresh` over the image's own range), but never below its 80th percentile: Otsu alone splits any image
/// in two, so on an image that is mostly nuclei it would still mark half the stroma-free tissue, and the
/// percentile floor keeps the mask to the bluest fifth at most. The segmentation is then dilated by a disk of
/// `radius` (20 px at 40x, the tutorial's "20 disk radial mask"). `mitosis mask` shows it on any image.
public struct BlueRatioSegmentation: Sendable {
    /// The blue-ratio image.
    public var blueRatio: FloatPlane
    /// The threshold applied (`blueRatio > threshold` is foreground).
    public var threshold: Float
    /// Otsu's threshold alone, for reporting.
    public var otsu: Float
    /// The undilated segmentation.
    public var nuclei: Mask
    /// The dilated mask: where negatives are sampled.
    public var candidates: Mask

    /// Percentile floor of the threshold.
    public static let percentileFloor = 80.0

    public init(_ image: Image, radius: Int = 20) {
        blueRatio = image.blueRatio()
        otsu = blueRatio.otsuThreshold()
        threshold = max(otsu, blueRatio.percentile(BlueRatioSegmentation.percentileFloor))
        nuclei = blueRatio.mask(above: threshold)
        candidates = nuclei.dilated(disk: radius)
    }
}
