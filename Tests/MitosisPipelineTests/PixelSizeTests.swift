import Foundation
import MitosisImage
import Testing
@testable import MitosisPipeline

/// The images' pixel size decides the downscale to the working resolution and every physical radius.
@Suite struct PixelSizeTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-pixelsize-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func tiffResolutionTagsRoundTrip() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = Image(width: 8, height: 8, channels: 3, fill: 128)
        try ImageIO.write(image, to: dir + "/a.tif", options: ImageWriteOptions(tiffPixelSizeMicrons: 0.2273))
        let read = try #require(ImageIO.pixelSizeMicrons(dir + "/a.tif"))
        #expect(abs(read - 0.2273) < 1e-5)
        try ImageIO.write(image, to: dir + "/b.tif")
        #expect(ImageIO.pixelSizeMicrons(dir + "/b.tif") == nil)
        try ImageIO.write(image, to: dir + "/c.png")
        #expect(ImageIO.pixelSizeMicrons(dir + "/c.png") == nil)
        #expect(try ImageIO.read(dir + "/a.tif") == image)
    }

    @Test func theDatasetsPixelSizeIsGivenRecordedOrAssumedAloud() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = Image(width: 8, height: 8, channels: 3, fill: 90)
        for (name, um) in [("r1.tif", 0.2273), ("r2.tif", 0.2275), ("far.tif", 0.5)] {
            try ImageIO.write(image, to: "\(dir)/\(name)", options: ImageWriteOptions(tiffPixelSizeMicrons: um))
        }
        try ImageIO.write(image, to: dir + "/plain.png")
        let given = try ImagePixelSize.resolve(given: 0.3, images: [dir + "/r1.tif"])
        #expect(given.micronsPerPixel == 0.3 && given.source == .given)
        let recorded = try ImagePixelSize.resolve(given: nil, images: [dir + "/r1.tif", dir + "/r2.tif"])
        #expect(abs(recorded.micronsPerPixel - 0.2273) < 1e-5 && recorded.source == .recorded(images: 2, of: 2))
        #expect(!ImagePixelSize.message(recorded.micronsPerPixel, recorded.source).warning)
        let partly = try ImagePixelSize.resolve(given: nil, images: [dir + "/plain.png", dir + "/r1.tif"])
        #expect(partly.source == .recorded(images: 1, of: 2))
        #expect(ImagePixelSize.message(partly.micronsPerPixel, partly.source).warning)
        let assumed = try ImagePixelSize.resolve(given: nil, images: [dir + "/plain.png"])
        #expect(assumed.micronsPerPixel == 0.25 && assumed.source == .assumed)
        let note = ImagePixelSize.message(assumed.micronsPerPixel, assumed.source)
        #expect(note.warning && note.text.contains("--pixel-size"))
        #expect {
            try ImagePixelSize.resolve(given: nil, images: [dir + "/r1.tif", dir + "/far.tif"])
        } throws: { "\($0)".contains("far.tif") && "\($0)".contains("--pixel-size") }
    }

    @Test func radiiAndScaleFollowThePixelSize() {
        let tutorial = RunOptions().resolved(imagePixelSize: 0.25)
        #expect(tutorial.patches.scale == 0.5 && tutorial.patches.positiveRadius == 8 && tutorial.patches.candidateRadius == 20)
        #expect(tutorial.matchRadius == 30 && tutorial.pixelSizeMicrons == 0.25)
        // MITOS-ATYPIA-14, scanner H: 0.2273 um/px.
        let hamamatsu = RunOptions().resolved(imagePixelSize: 0.2273)
        #expect(abs(hamamatsu.patches.scale - 0.4546) < 1e-9)
        #expect(hamamatsu.patches.positiveRadius == 9 && hamamatsu.patches.candidateRadius == 22)
        #expect(abs(hamamatsu.matchRadius - 7.5 / 0.2273) < 1e-9)
        var finer = RunOptions()
        finer.workingPixelSize = 0.25
        #expect(finer.resolved(imagePixelSize: 0.25).patches.scale == 1)
    }
}
