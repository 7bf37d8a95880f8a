import Foundation
import Testing

/// `mitosis slide` end to end with the tutorial author's model: a pyramidal TIFF made by `make-slide` from
/// two real frames (checked against `apply` on the same frames), a batch with a damaged slide and one that
/// records no pixel size, resume after a lost tile, and OpenSlide's real Aperio test slide. Reads
/// ../shared/reference and ../shared/real (never copied).
@Suite(.serialized) struct SlideCLITests {
    static let shared = CLI.shared
    static let available = ModelBundleCLITests.available

    func workFolder(_ name: String) throws -> String {
        let t = try CLI.temporaryFolder(name)
        try FileManager.default.createSymbolicLink(atPath: t + "/ref", withDestinationPath: ModelBundleCLITests.author)
        try FileManager.default.createSymbolicLink(atPath: t + "/frames", withDestinationPath: ModelBundleCLITests.frames)
        try FileManager.default.createSymbolicLink(atPath: t + "/tissue", withDestinationPath: Self.shared + "/reference/tissue")
        let r = try CLI.run(ModelBundleCLITests().importArguments([1], into: "author"), cwd: t)
        #expect(r.status == 0, "\(r.stderr)")
        return t
    }

    static func csvRows(_ path: String) throws -> [[Double]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
    }

    @Test(.enabled(if: available, "needs ../shared/reference and ../shared/real"))
    func aSlideOfRealFramesFindsWhatApplyFindsAndResumes() throws {
        let t = try workFolder("slide-frames")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: t + "/two", withIntermediateDirectories: true)
        let names = try fm.contentsOfDirectory(atPath: t + "/frames").filter { $0.hasSuffix(".jpg") }.sorted().prefix(2)
        for n in names {
            let stem = (n as NSString).deletingPathExtension
            try fm.createSymbolicLink(atPath: t + "/two/" + n, withDestinationPath: t + "/frames/" + n)
            try fm.createSymbolicLink(atPath: t + "/two/" + stem + ".csv", withDestinationPath: t + "/frames/" + stem + ".csv")
        }
        var r = try CLI.run(["make-slide", "two", "-o", "slides/real.tif", "--pixel-size", "0.2273", "--gap", "64", "--columns", "2", "-q"], cwd: t)
        #expect(r.status == 0, "\(r.stderr)")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: URL(fileURLWithPath: t + "/slides/broken.svs"))
        try fm.copyItem(atPath: Self.shared + "/reference/tissue/breast-carcinoma-he-1000.png", toPath: t + "/slides/nopixels.png")

        // The batch: the good slide is analysed, the other two are named with what to do, the exit status says so.
        r = try CLI.run(["slide", "--model", "author", "slides", "-o", "out", "--tile", "256", "--threshold", "2", "--truth", "slides"], cwd: t)
        #expect(r.status != 0)
        #expect(r.stderr.contains("broken.svs") && r.stderr.contains("nopixels.png") && r.stderr.contains("--pixel-size"), "\(r.stderr)")
        let table = try String(contentsOfFile: t + "/out/slides.csv", encoding: .utf8)
        #expect(table.contains("\nreal,") && !table.contains("broken"))
        for f in ["detections.csv", "detections.geojson", "heatmap.png", "thumbnail.png", "gallery.png", "tissue.png", "summary.json"] {
            #expect(CLI.exists(t + "/out/real/" + f), "\(f)")
        }
        let slide = try Self.csvRows(t + "/out/real/detections.csv")
        #expect(!slide.isEmpty)
        // Scored against the centres make-slide wrote: every centre is a TP or an FN, every detection a TP or an FP.
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t + "/out/real/summary.json"))) as! [String: Any]
        let e = summary["evaluation"] as? [String: Int] ?? [:]
        let centres = try String(contentsOfFile: t + "/slides/real.csv", encoding: .utf8).split(separator: "\n").count
        #expect(e["truePositives", default: -1] + e["falseNegatives", default: -1] == centres)
        #expect(e["truePositives", default: -1] + e["falsePositives", default: -1] == slide.count)
        #expect(r.stdout.contains("real: TP "), "\(r.stdout)")

        // The preparation alone (`bench slide-prepare`): the same tissue tiles, none mapped or written.
        let bench = try CLI.run(["bench", "slide-prepare", "--model", "author", "slides/real.tif", "--output", "prep", "--tile", "256"], cwd: t)
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(bench.stdout.contains("real: \(summary["tissueTiles"] as? Int ?? -1) tissue tiles prepared in "), "\(bench.stdout)")
        #expect(try fm.contentsOfDirectory(atPath: t + "/prep/real/tiles").isEmpty)
        #expect(!CLI.exists(t + "/prep/real/summary.json"))

        // The same frames through `apply`: inside each frame, the slide finds most of the same mitoses. Not
        // all: the slide samples its working image at other sub-pixel positions (a frame at an odd level-0
        // offset is half a working pixel off `apply`'s grid, and 0.4546 never aligns), its candidate mask
        // has one blue-ratio threshold for the whole slide instead of one per frame, and its tiles are
        // JPEG-compressed again. Wrong offsets or scales would match next to nothing.
        r = try CLI.run(["apply", "--model", "author", "two", "-o", "applied", "--pixel-size", "0.2273", "--threshold", "2", "--no-overlays", "-q"], cwd: t)
        #expect(r.status == 0, "\(r.stderr)")
        let placements = try Self.csvRows(t + "/slides/real_frames.csv")
        var matched = 0, total = 0
        for (k, n) in names.enumerated() {
            let stem = (n as NSString).deletingPathExtension
            let (ox, oy, w, h) = (placements[k][0], placements[k][1], placements[k][2], placements[k][3])
            for p in try Self.csvRows(t + "/applied/\(stem).csv") where p[0] > 40 && p[1] > 40 && p[0] < w - 40 && p[1] < h - 40 {
                total += 1
                if slide.contains(where: { abs($0[0] - ox - p[0]) <= 33 && abs($0[1] - oy - p[1]) <= 33 }) { matched += 1 }
            }
        }
        #expect(total >= 5 && Double(matched) >= 0.5 * Double(total), "\(matched) of \(total) of apply's detections found on the slide")

        // Resume: a lost tile is mapped again, the others are not, and the result is the same.
        let tiles = try fm.contentsOfDirectory(atPath: t + "/out/real/tiles").sorted()
        try fm.removeItem(atPath: t + "/out/real/tiles/" + tiles[tiles.count / 2])
        r = try CLI.run(["slide", "--model", "author", "slides/real.tif", "-o", "out", "--tile", "256", "--threshold", "2"], cwd: t)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(tiles.count - 1) of \(tiles.count) tissue tiles already mapped"), "\(r.stderr)")
        #expect(try Self.csvRows(t + "/out/real/detections.csv") == slide)
        // Other settings are refused, not mixed with the tiles there.
        r = try CLI.run(["slide", "--model", "author", "slides/real.tif", "-o", "out", "--tile", "512"], cwd: t)
        #expect(r.status != 0 && r.stderr.contains("other settings"), "\(r.stderr)")
    }

    @Test(.enabled(if: available, "needs ../shared/reference"))
    func theAperioTestSlideEndToEnd() throws {
        let t = try workFolder("slide-svs")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let r = try CLI.run(["slide", "--model", "author", "tissue/CMU-1-Small-Region.svs", "-o", "svs", "--region", "area:0.5"], cwd: t)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t + "/svs/CMU-1-Small-Region/summary.json"))) as! [String: Any]
        #expect(summary["vendor"] as? String == "aperio")
        #expect(abs((summary["micronsPerPixel"] as? Double ?? 0) - 0.499) < 0.001)
        #expect(summary["scale"] as? Double == 1, "a 20x slide is used as it is")
        let tissue = summary["tissueAreaMM2"] as? Double ?? 0
        #expect(tissue > 0.3 && tissue < 1.6)
        let hotspot = summary["hotspot"] as? [String: Any]
        #expect(hotspot?["fitted"] as? Bool == true && abs((hotspot?["areaMM2"] as? Double ?? 0) - 0.5) < 1e-9)
        let geo = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t + "/svs/CMU-1-Small-Region/detections.geojson"))) as! [String: Any]
        let kinds = (geo["features"] as! [[String: Any]]).map { ($0["geometry"] as! [String: Any])["type"] as! String }
        #expect(kinds.contains("Polygon") && kinds.contains("Point"))
        #expect(r.stdout.contains("CMU-1-Small-Region:") && r.stdout.contains("score"))
    }
}
