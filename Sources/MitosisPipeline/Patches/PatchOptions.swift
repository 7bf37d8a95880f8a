import MitosisImage

/// Settings of step 1 (patch extraction), with the tutorial's values as defaults where we follow it.
public struct PatchOptions: Sendable, Equatable, Codable {
    /// Interpolation used to rotate patch windows.
    public enum Interpolation: String, Sendable, Codable, CaseIterable {
        /// MATLAB `imrotate`'s default, as the author's code uses.
        case nearest
        case bilinear
    }

    /// Side of the square patch at the working resolution (the tutorial's 32).
    public var patchSize = 32
    /// Downscale from the images' 40x to the working resolution (the tutorial's 0.5, i.e. 20x).
    public var scale = 0.5
    /// Positive rotations in degrees. Default: every 45 degrees. The author's list, `0 45 90 135 180 215 270`
    /// (215 is evidently meant as 225, and 315 is missing), is `PatchOptions.tutorialPositiveAngles`.
    public var positiveAngles = [0, 45, 90, 135, 180, 225, 270, 315]
    /// Negative rotations in degrees (the tutorial's).
    public var negativeAngles = [0, 90, 180, 270]
    /// Negatives per positive pixel (the tutorial's 2.5).
    public var negativeRatio = 2.5
    /// Iterations of 3x3 dilation of the positive pixels that negatives must stay out of (the tutorial's 10).
    public var exclusionDilation = 10
    /// Rotation interpolation (MATLAB's default nearest).
    public var interpolation = Interpolation.nearest
    /// Radius in pixels at 40x of the disks drawn around each centre when `_pc.png` is missing.
    public var positiveRadius = 8
    /// Radius in pixels at 40x of the disk dilating the blue-ratio mask when `_cmask.png` is missing.
    public var candidateRadius = 20
    /// Macenko stain normalisation of each working image before cutting (nil: none, as the tutorial). Maps
    /// made for a model trained on such patches must be normalised the same way.
    public var stainNormalization: StainNormalizer?
    /// Seed of every random choice.
    public var seed: UInt64 = 1

    /// The author's literal positive angle list.
    public static let tutorialPositiveAngles = [0, 45, 90, 135, 180, 215, 270]

    public init() {}

    /// Window cut around each pixel before rotation: twice the patch, so rotated corners stay inside.
    public var windowSize: Int { 2 * patchSize }
    /// Symmetric padding added to the working image (half the window), as the author's `padarray(..., 32)`.
    public var padding: Int { patchSize }
    /// Offset of the labelled pixel inside its patch (0-based): 16 for 32x32 patches. The patch is the
    /// central crop of the window, whose centre is also the rotation centre; see the README's table "How `mitosis run` follows the tutorial".
    public var centreOffset: Int { patchSize / 2 }
}
