import Foundation
import MitosisImage
import Testing
@testable import MitosisData

@Suite struct BlueRatioMaskTests {
    /// ../shared/reference/tissue/breast-carcinoma-he-1000.png, a real H&E tile (read, never copied).
    static let tissue: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("shared/reference/tissue/breast-carcinoma-he-1000.png").path
    }()

    @Test(.enabled(if: FileManager.default.fileExists(atPath: tissue), "needs ../shared/reference/tissue"))
    func candidateMaskCoversTheNucleiOfRealTissue() throws {
        let img = try ImageIO.read(Self.tissue).convertedToChannels(3)
        let seg = BlueRatioSegmentation(img, radius: 20)
        let stained = HematoxylinCheck.stronglyStained(img)
        let inside = zip(stained.bits, seg.candidates.bits).filter { $0.0 && $0.1 }.count
        // Independent nuclear-stain estimate (colour deconvolution) must fall inside the mask...
        #expect(Double(inside) >= 0.97 * Double(stained.count))
        // ...while the mask still leaves tissue out (it restricts where negatives are drawn).
        let n = Double(img.width * img.height)
        #expect(Double(seg.candidates.count) < 0.9 * n)
        #expect(Double(seg.nuclei.count) > 0.02 * n)
    }

    @Test func blueNucleiAreSegmentedAndPinkStromaIsNot() {
        // Pink stroma with one blue-purple disk.
        var img = Image(width: 64, height: 64, channels: 3)
        for y in 0..<64 { for x in 0..<64 {
            let nucleus = (x - 32) * (x - 32) + (y - 32) * (y - 32) <= 64
            let rgb: [UInt8] = nucleus ? [70, 50, 140] : [230, 150, 190]
            for c in 0..<3 { img[x, y, c] = rgb[c] }
        } }
        let seg = BlueRatioSegmentation(img, radius: 3)
        #expect(seg.nuclei[32, 32] && !seg.nuclei[5, 5])
        #expect(seg.candidates[32, 32 + 10] && !seg.candidates[32, 32 + 12])
    }

    @Test func pcDisksHaveRadiusEight() {
        let m = HelperMasks.disks(at: [Centre(x: 20, y: 20)], radius: 8, width: 40, height: 40)
        #expect(m[28, 20] && !m[29, 20] && m[20, 12] && !m[26, 26])
        #expect(m.count == (0..<17).reduce(0) { acc, dy in acc + (0..<17).filter { (dy - 8) * (dy - 8) + ($0 - 8) * ($0 - 8) <= 64 }.count })
    }
}
