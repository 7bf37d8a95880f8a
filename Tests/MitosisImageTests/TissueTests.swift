import Foundation
import Testing
import MitosisImage

/// Plausibility on real H&E (not committed; read from ../shared beside the package when present).
@Suite struct TissueTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/reference/tissue/breast-carcinoma-he-1000.png").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: path)))
    func blueRatioFindsNuclei() throws {
        let tissue = try ImageIO.read(Self.path)
        #expect(tissue.channels >= 3 && tissue.width > 100 && tissue.height > 100)
        let half = try tissue.resized(scale: 0.5)
        #expect(half.width == (tissue.width + 1) / 2 && half.height == (tissue.height + 1) / 2)
        let br = half.blueRatio()
        let mask = br.mask(above: br.otsuThreshold())
        let fraction = Double(mask.count) / Double(mask.bits.count)
        // Nuclei are a minority of the field but not absent; dilation only grows the mask.
        #expect(fraction > 0.005 && fraction < 0.6, "blue-ratio foreground fraction \(fraction)")
        #expect(mask.dilated(disk: 5).count > mask.count)
        // Foreground pixels are bluer than background ones on average.
        var sums = [0.0, 0.0], counts = [0.0, 0.0]
        for (value, set) in zip(br.values, mask.bits) {
            sums[set ? 1 : 0] += Double(value)
            counts[set ? 1 : 0] += 1
        }
        let foregroundMean = sums[1] / counts[1], backgroundMean = sums[0] / counts[0]
        #expect(foregroundMean > backgroundMean)
    }
}
