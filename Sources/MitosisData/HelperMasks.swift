import Foundation
import MitosisImage

/// The tutorial's two helper masks of an image, at the image's own (40x) resolution.
///
/// - `positive` (`PP_II_pc.png`): filled disks around each mitosis centre. When the file is missing it is made
///   from the CSV with disks of `positiveRadius` (8 px at 40x, i.e. the tutorial's 4 px at 20x).
/// - `candidate` (`PP_II_cmask.png`): the dilated blue-ratio segmentation, where negatives are sampled. When
///   missing it is made by `candidateMask(for:)`.
public struct HelperMasks: Sendable {
    public var positive: Mask
    public var candidate: Mask

    /// Reads the masks of `item`, or makes the missing ones.
    public static func load(_ item: DatasetImage, image: Image, order: CSVOrder = .xy,
                            positiveRadius: Int = 8, candidateRadius: Int = 20) throws -> HelperMasks {
        let positive: Mask
        if let pc = item.pcPath {
            positive = try readMask(pc, width: image.width, height: image.height)
        } else {
            let centres = try item.csvPath.map { try CentreCSV.read($0, order: order, imageSize: (image.width, image.height)) } ?? []
            positive = disks(at: centres, radius: positiveRadius, width: image.width, height: image.height)
        }
        let candidate: Mask
        if let cm = item.cmaskPath {
            candidate = try readMask(cm, width: image.width, height: image.height)
        } else {
            candidate = candidateMask(for: image, radius: candidateRadius)
        }
        return HelperMasks(positive: positive, candidate: candidate)
    }

    /// Resizes a mask as the author's code resizes the `_pc` / `_cmask` PNGs: as a 0/255 gray image with
    /// MATLAB `imresize` (bicubic, antialiased), keeping every non-zero pixel of the result.
    public static func resized(_ mask: Mask, scale: Double) throws -> Mask {
        try Mask(image: Image(mask: mask).resized(scale: scale))
    }

    /// Filled disks (`dx^2 + dy^2 <= r^2`) around rounded centres.
    public static func disks(at centres: [Centre], radius: Int, width: Int, height: Int) -> Mask {
        var mask = Mask(width: width, height: height)
        for c in centres {
            let cx = Int(c.x.rounded()), cy = Int(c.y.rounded())
            for y in max(0, cy - radius)...max(0, min(height - 1, cy + radius)) {
                for x in max(0, cx - radius)...max(0, min(width - 1, cx + radius))
                where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius {
                    mask[x, y] = true
                }
            }
        }
        return mask
    }

    /// The blue-ratio candidate mask: blue ratio, thresholded, dilated by a disk of `radius` pixels.
    /// See `BlueRatioSegmentation` for the threshold.
    public static func candidateMask(for image: Image, radius: Int = 20) -> Mask {
        BlueRatioSegmentation(image, radius: radius).candidates
    }

    static func readMask(_ path: String, width: Int, height: Int) throws -> Mask {
        let img = try ImageIO.read(path)
        guard img.width == width, img.height == height else {
            throw DatasetError.unreadableFile(path: path, reason: "is \(img.width)x\(img.height) but its image is \(width)x\(height)")
        }
        return Mask(image: img)
    }
}
