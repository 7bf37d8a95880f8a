import Foundation
import MitosisData
import MitosisImage
import Testing
@testable import MitosisPipeline

/// `--stain-normalize`: step 1 (and step 6) cut patches from the normalised working image, and step 5 maps
/// the same normalised image, while masks still come from the original.
@Suite struct StainNormalizationPipelineTests {
    /// A 96x96 H&E-like image (hematoxylin disks on eosin stroma), saved with a one-mitosis CSV.
    static func writeImage(in folder: String) throws -> DatasetImage {
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        let h = unit(SIMD3(0.45, 0.80, 0.45)), e = unit(SIMD3(0.25, 0.85, 0.45))
        var pixels: [UInt8] = []
        for y in 0..<96 { for x in 0..<96 {
            let dx = Double(x % 24) - 11.5, dy = Double(y % 24) - 11.5
            let inside = dx * dx + dy * dy < 49
            let hem = inside ? 1.0 + 0.5 * Double(y % 24) / 23 : 0, eos = inside ? 0.03 : 0.8 + 0.3 * sin(Double(x) / 5)
            for k in 0..<3 { pixels.append(UInt8((235 * exp(-(hem * h[k] + eos * e[k]))).rounded())) }
        } }
        let path = folder + "/01_01.png"
        try ImageIO.write(Image(width: 96, height: 96, channels: 3, pixels: pixels), to: path)
        try "36,36\n".write(toFile: folder + "/01_01.csv", atomically: true, encoding: .utf8)
        return try #require(Dataset.discover(at: folder).images.first)
    }

    @Test func patchesAndMapsUseTheNormalisedWorkingImage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-stain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let item = try Self.writeImage(in: folder)
        var options = PatchOptions()
        let plain = try PatchExtractor(options: options).inputs(for: item)
        options.stainNormalization = StainNormalizer()
        let normalised = try PatchExtractor(options: options).inputs(for: item)
        #expect(normalised.image == (try StainNormalizer().normalize(plain.image)))
        #expect(normalised.image != plain.image)
        #expect(normalised.positives == plain.positives && normalised.candidates == plain.candidates)

        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: folder), scale: options.scale, useMask: true)
        let plainMap = try job.inputs(URL(fileURLWithPath: item.imagePath))
        job.stainNormalization = StainNormalizer()
        let normalisedMap = try job.inputs(URL(fileURLWithPath: item.imagePath))
        #expect(normalisedMap.image == normalised.image)
        #expect(normalisedMap.mask == plainMap.mask)
    }

    /// Patch folders record the setting; option files written before it existed still read back.
    @Test func optionsRecordTheNormaliserAndOldFilesStillDecode() throws {
        var options = PatchOptions()
        options.stainNormalization = StainNormalizer()
        let data = try JSONEncoder().encode(options)
        #expect(try JSONDecoder().decode(PatchOptions.self, from: data) == options)
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(PatchOptions())) as! [String: Any]
        old.removeValue(forKey: "stainNormalization")
        let decoded = try JSONDecoder().decode(PatchOptions.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded == PatchOptions())
    }

    @Test func aBlankImageNamesItsFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-stain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/02_01.png"
        try ImageIO.write(Image(width: 64, height: 64, channels: 3, pixels: [UInt8](repeating: 240, count: 64 * 64 * 3)), to: path)
        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: folder), scale: 0.5, useMask: false)
        job.stainNormalization = StainNormalizer()
        do {
            _ = try job.inputs(URL(fileURLWithPath: path))
            Issue.record("a blank image was normalised")
        } catch {
            #expect("\(error)".contains("02_01.png") && "\(error)".contains("stain"))
        }
    }
}
