import Foundation
import Testing
import MitosisImage

/// `mitosis make-slide` end to end: relative paths with spaces, the three files, the summary line, a bad option.
@Suite struct MakeSlideCLITests {
    @Test func makesASlideFromFrames() throws {
        let root = try CLI.temporaryFolder("make-slide")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/my frames", withIntermediateDirectories: true)
        for i in 1...3 {
            try ImageIO.write(Image(width: 120, height: 90, channels: 3, fill: UInt8(60 * i)), to: root + "/my frames/07_0\(i).png")
            try "x,y\n10,20\n".write(toFile: root + "/my frames/07_0\(i).csv", atomically: true, encoding: .utf8)
        }
        let result = try CLI.run(["make-slide", "my frames", "-o", "out dir/slide.tif", "--gap", "32", "--margin", "16",
                                  "--tile", "64", "--pixel-size", "0.25", "-q"], cwd: root)
        #expect(result.status == 0, "\(result.stderr)")
        // 2 columns: 16 + 120 + 32 + 120 + 16 wide, 2 rows: 16 + 90 + 32 + 90 + 16 high.
        #expect(result.stdout.hasPrefix("out dir/slide.tif: 304x244 px, 1 level, 3 frames (3 distinct), 3 centres"))
        for file in ["slide.tif", "slide.csv", "slide_frames.csv"] { #expect(CLI.exists(root + "/out dir/" + file), "\(file)") }
        #expect(try String(contentsOfFile: root + "/out dir/slide.csv", encoding: .utf8) == "26,36\n178,36\n26,158\n")
        let bad = try CLI.run(["make-slide", "my frames", "-o", "x.tif", "--size", "10x"], cwd: root)
        #expect(bad.status != 0 && bad.stderr.contains("--size"))
    }
}
