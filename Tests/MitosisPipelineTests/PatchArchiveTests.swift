import Foundation
import MitosisSupport
import Testing
@testable import MitosisPipeline

@Suite struct PatchArchiveTests {
    func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-\(UUID().uuidString)-\(name)").path
    }

    /// Writes an archive of two 4x4 patches to a new temporary path; returns the path and the file's bytes.
    func twoPatchArchive(_ name: String, x: UInt16 = 0, y: UInt16 = 0) throws -> (path: String, data: Data) {
        let path = temp(name)
        let p = Patch(label: 1, index: 1, angle: 0, x: x, y: y, pixels: [UInt8](repeating: 9, count: 4 * 4 * 3))
        try PatchArchive.write([p, p], size: 4, to: path)
        return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func roundTrip() throws {
        var rng = SeededRandom(seed: 5)
        let angles: [Int16] = [0, 45, 215, -90]
        var patches: [Patch] = []
        for i in 0..<7 {
            var pixels = [UInt8](repeating: 0, count: 8 * 8 * 3)
            for k in pixels.indices { pixels[k] = UInt8(truncatingIfNeeded: rng.next()) }
            patches.append(Patch(label: UInt8(i % 2), index: UInt32(i + 1), angle: angles[i % 4],
                                 x: UInt16(i * 3), y: UInt16(999 - i), pixels: pixels))
        }
        let path = temp("a.patches")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PatchArchive.write(patches, size: 8, to: path)
        let (size, back) = try PatchArchive.read(path)
        #expect(size == 8)
        #expect(back == patches)
    }

    @Test func truncatedAndForeignFilesAreNamedErrors() throws {
        let (path, data) = try twoPatchArchive("b.patches")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try data.prefix(data.count - 5).write(to: URL(fileURLWithPath: path))
        #expect { try PatchArchive.read(path) } throws: { "\($0)".contains(path) && "\($0)".contains("truncated") }
        try Data("hello world, not patches".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try PatchArchive.read(path) } throws: { "\($0)".contains("bad magic") }
    }

    @Test func tutorialFileNames() {
        let p = Patch(label: 0, index: 12, angle: 90, x: 0, y: 0, pixels: [])
        #expect(p.fileName(image: "01_01") == "01_01_0_n_12_90.png")
        let q = Patch(label: 1, index: 3, angle: 215, x: 0, y: 0, pixels: [])
        #expect(q.fileName(image: "07_11") == "07_11_1_p_3_215.png")
    }

    /// An archive changed after it was written (one byte flipped in a patch's pixels) is refused by its
    /// digest, naming the file and what to do, instead of being trained on.
    @Test func archiveDamagedAfterWritingIsRefusedByItsDigest() throws {
        var (path, data) = try twoPatchArchive("c.patches", x: 3, y: 4)
        defer { try? FileManager.default.removeItem(atPath: path) }
        data[40] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        #expect { try PatchArchive.read(path) } throws: {
            "\($0)".contains(path) && "\($0)".contains("damaged") && "\($0)".contains("re-run `mitosis patches`")
        }
    }

    /// Archives of the earlier format (magic MTPATCH1 / MTSAMPL1, no digest) are still read.
    @Test func earlierFormatWithoutDigestIsStillRead() throws {
        let path = temp("d.patches")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Patch(label: 0, index: 2, angle: 90, x: 5, y: 6, pixels: [UInt8](repeating: 7, count: 2 * 2 * 3))
        for (pixels, magic) in [(true, "MTPATCH1"), (false, "MTSAMPL1")] {
            try PatchArchive.write([p], size: 2, to: path, pixels: pixels)
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.replaceSubrange(0..<8, with: Array(magic.utf8))
            data.removeLast(8)
            try data.write(to: URL(fileURLWithPath: path))
            let back = try PatchArchive.readRecords(path)
            #expect(back.size == 2 && back.hasPixels == pixels)
            #expect(back.patches == [pixels ? p : Patch(label: 0, index: 2, angle: 90, x: 5, y: 6, pixels: [])])
        }
    }

    /// Inputs scripts/fuzz.sh found (Fuzz/regressions/patch-archive): a header whose patch size squared
    /// overflowed Int trapped; now each is a named error.
    @Test func fuzzFoundArchivesAreNamedErrors() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/patch-archive").path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!inputs.isEmpty)
        for name in inputs {
            let path = folder + "/" + name
            #expect { try PatchArchive.readRecords(path) } throws: { "\($0)".contains(path) }
        }
    }
}
