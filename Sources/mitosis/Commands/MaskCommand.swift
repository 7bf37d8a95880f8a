import ArgumentParser
import Foundation
import MitosisData
import MitosisImage

/// `mitosis mask`: the blue-ratio candidate mask of an image, with a picture and an independent check.
struct MaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Show the blue-ratio segmentation (_cmask) of an image and check that it covers the nuclei.",
        discussion: """
            Prints the threshold and coverage, and how much of the strongly hematoxylin-stained tissue (found \
            independently, by Ruifrok-Johnston colour deconvolution) lies inside the mask. --overlay writes a \
            picture: segmented nuclei tinted green, the dilated mask's remaining area tinted yellow, the rest dimmed.
            """)

    @Argument(help: "An H&E image (TIFF, PNG or JPEG).")
    var image: String

    @Option(help: "Dilation radius in pixels (20 at 40x).")
    var radius = 20

    @Option(help: "Write the mask as a 0/255 PNG here (as PP_II_cmask.png).")
    var output: String?

    @Option(help: "Write an overlay picture here.")
    var overlay: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = global.logger("mask")
        let img = try ImageIO.read(image).convertedToChannels(3)
        let seg = BlueRatioSegmentation(img, radius: radius)
        let n = Double(img.width * img.height)
        let hema = HematoxylinCheck.stronglyStained(img)
        let inside = zip(hema.bits, seg.candidates.bits).filter { $0.0 && $0.1 }.count
        print(String(format: "blue-ratio threshold %.2f (Otsu %.2f, %gth percentile floor)", seg.threshold, seg.otsu,
                     BlueRatioSegmentation.percentileFloor))
        print(String(format: "segmented nuclei: %.1f%% of the image; dilated mask (r=%d): %.1f%%",
                     100 * Double(seg.nuclei.count) / n, radius, 100 * Double(seg.candidates.count) / n))
        print(String(format: "strongly hematoxylin-stained pixels: %.1f%% of the image, %.1f%% of them inside the mask",
                     100 * Double(hema.count) / n, 100 * Double(inside) / Double(max(hema.count, 1))))
        if let output { try ImageIO.write(Image(mask: seg.candidates), to: output) }
        if let overlay { try ImageIO.write(picture(img, seg), to: overlay) }
    }

    func picture(_ img: Image, _ seg: BlueRatioSegmentation) -> Image {
        var out = img
        for i in 0..<(img.width * img.height) {
            let tint: (Double, [Double]) = seg.nuclei.bits[i] ? (0.45, [0, 200, 0])
                : seg.candidates.bits[i] ? (0.25, [255, 220, 0]) : (0.55, [0, 0, 0])
            for c in 0..<3 {
                let v = Double(img.pixels[i * 3 + c]) * (1 - tint.0) + tint.1[c] * tint.0
                out.pixels[i * 3 + c] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return out
    }
}
