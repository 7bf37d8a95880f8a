import Foundation
import Testing

/// Model bundles: `mitosis model import-caffe` on the tutorial author's released models, `mitosis apply` on
/// real frames (relative paths from another working folder), its agreement with `probmap` + `detect`, and
/// the errors a user meets. Reads ../shared/reference and ../shared/real (never copied).
@Suite(.serialized) struct ModelBundleCLITests {
    static let author = CLI.author, frames = CLI.frames, available = CLI.sharedAvailable

    /// A working folder with `ref` and `frames` linked to the shared folders (so paths are relative).
    func workFolder(_ name: String) throws -> String {
        let t = try CLI.temporaryFolder(name)
        try FileManager.default.createSymbolicLink(atPath: t + "/ref", withDestinationPath: Self.author)
        try FileManager.default.createSymbolicLink(atPath: t + "/frames", withDestinationPath: Self.frames)
        return t
    }

    func importArguments(_ folds: [Int], into: String) -> [String] {
        ["model", "import-caffe", "--net", "ref/deploy_train32.prototxt", "-o", into]
            + folds.flatMap { ["--weights", "ref/\($0)_caffenet_train_w32_2nd_iter_600000.caffemodel", "--mean", "ref/DB_train_w32_\($0)_2nd.binaryproto"] }
    }

    @Test(.enabled(if: available, "needs ../shared/reference and ../shared/real"))
    func importedAuthorModelsApplyToRealFrames() throws {
        let t = try workFolder("bundle-apply")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let made = try CLI.run(importArguments([1, 2], into: "author model"), cwd: t)
        try #require(made.status == 0, "\(made.stdout)\n\(made.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t + "/author model/manifest.json"))) as! [String: Any]
        let models = manifest["models"] as! [[String: Any]]
        #expect(models.count == 2 && (models[0]["weights"] as! String) == "1_caffenet_train_w32_2nd_iter_600000.caffemodel")
        #expect((manifest["workingPixelSize"] as! NSNumber).doubleValue == 0.5)
        for m in models { #expect(CLI.exists(t + "/author model/" + (m["mean"] as! String))) }
        let show = try CLI.run(["model", "show", "author model"], cwd: t)
        #expect(show.status == 0 && show.stdout.contains("\"format\" : \"mitosis-model\""), "\(show.stdout)\(show.stderr)")

        // The bundle is moved before use: its manifest names its files relative to itself.
        try FileManager.default.moveItem(atPath: t + "/author model", toPath: t + "/moved")
        let args = ["apply", "--model", "moved", "frames/H03_00Aa.jpg", "frames/H10_00Ac.jpg", "-o", "out", "--pixel-size", "0.2273", "--threshold=-4"]
        let apply = try CLI.run(args, cwd: t)
        try #require(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stderr.contains("2 model(s) averaged") && apply.stderr.contains("scale 0.4546"), "\(apply.stderr)")
        for name in ["H03_00Aa", "H10_00Ac"] {
            let csv = try String(contentsOfFile: "\(t)/out/\(name).csv", encoding: .utf8).split(separator: "\n")
            #expect(csv.first == "x,y,logodds")
            for line in csv.dropFirst() {
                let v = line.split(separator: ",").compactMap { Double($0) }
                #expect(v.count == 3 && v[2] >= -4 && v[0] < 1664 && v[1] < 1486, "\(line)")
            }
            #expect(CLI.exists("\(t)/out/\(name).geojson") && CLI.exists("\(t)/out/\(name)_overlay.png"))
        }
        let grades = try String(contentsOfFile: t + "/out/grades.csv", encoding: .utf8)
        #expect(grades.contains("H03_00Aa") && grades.contains("H10"), "\(grades)")
        #expect(apply.stdout.contains("2 mapped, 0 already mapped"), "\(apply.stdout)")
        // Re-running resumes: nothing is mapped again, the detections are the same.
        let before = try String(contentsOfFile: t + "/out/H03_00Aa.csv", encoding: .utf8)
        let again = try CLI.run(args, cwd: t)
        #expect(again.status == 0 && again.stdout.contains("0 mapped, 2 already mapped"), "\(again.stdout)")
        #expect(try String(contentsOfFile: t + "/out/H03_00Aa.csv", encoding: .utf8) == before)
    }

    /// A one-model bundle gives what `probmap` (at the bundle's stride) + `detect` give with the same model.
    @Test(.enabled(if: available, "needs ../shared/reference and ../shared/real"))
    func applyEqualsProbmapAndDetect() throws {
        let t = try workFolder("bundle-equal")
        defer { try? FileManager.default.removeItem(atPath: t) }
        try #require(try CLI.run(importArguments([3], into: "b") + ["--map-stride", "2"], cwd: t).status == 0)
        let apply = try CLI.run(["apply", "--model", "b", "frames/H05_00Aa.jpg", "-o", "a", "--pixel-size", "0.2273", "--threshold=-6", "--no-overlays"], cwd: t)
        try #require(apply.status == 0, "\(apply.stderr)")
        let probmap = try CLI.run(["probmap", "--net", "ref/deploy_train32.prototxt", "--weights", "ref/3_caffenet_train_w32_2nd_iter_600000.caffemodel",
                                   "--mean", "ref/DB_train_w32_3_2nd.binaryproto", "--stride", "2", "frames/H05_00Aa.jpg", "-o", "pm", "--pixel-size", "0.2273", "-q"], cwd: t)
        try #require(probmap.status == 0, "\(probmap.stderr)")
        let detect = try CLI.run(["detect", "pm", "-o", "det", "--pixel-size", "0.2273", "--threshold", "0.0001", "-q"], cwd: t)
        try #require(detect.status == 0, "\(detect.stderr)")
        let kept = try String(contentsOfFile: t + "/det/H05_00Aa.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .filter { Double($0.split(separator: ",")[2])! >= -6 }
        let applied = try String(contentsOfFile: t + "/a/H05_00Aa.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(!applied.isEmpty)
        #expect(Array(applied) == kept)
    }

    @Test(.enabled(if: available, "needs ../shared/reference and ../shared/real"))
    func badBundlesAndImagesAreNamed() throws {
        let t = try workFolder("bundle-errors")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let none = try CLI.run(["apply", "--model", "nowhere", "frames/H05_00Aa.jpg", "-o", "x"], cwd: t)
        #expect(none.status != 0 && none.stderr.contains("nowhere/manifest.json: not found") && none.stderr.contains("import-caffe"), "\(none.stderr)")
        let uneven = try CLI.run(["model", "import-caffe", "--net", "ref/deploy_train32.prototxt", "--weights", "ref/1_caffenet_train_w32_2nd_iter_600000.caffemodel", "-o", "u"], cwd: t)
        #expect(uneven.status != 0 && uneven.stderr.contains("--mean"), "\(uneven.stderr)")
        #expect(!CLI.exists(t + "/u/manifest.json"))
        try #require(try CLI.run(importArguments([4], into: "b"), cwd: t).status == 0)
        // A manifest naming a file that is gone.
        try FileManager.default.removeItem(atPath: t + "/b/DB_train_w32_4_2nd.binaryproto")
        let missing = try CLI.run(["apply", "--model", "b", "frames/H05_00Aa.jpg", "-o", "x", "--pixel-size", "0.2273"], cwd: t)
        #expect(missing.status != 0 && missing.stderr.contains("DB_train_w32_4_2nd.binaryproto: not found") && missing.stderr.contains("incomplete"), "\(missing.stderr)")
        // A broken manifest.
        try Data("{\"format\": \"mitosis-model\"}".utf8).write(to: URL(fileURLWithPath: t + "/b/manifest.json"))
        let broken = try CLI.run(["apply", "--model", "b", "frames/H05_00Aa.jpg", "-o", "x"], cwd: t)
        #expect(broken.status != 0 && broken.stderr.contains("manifest.json: not a model manifest (missing key"), "\(broken.stderr)")
        // An unreadable image among good ones: reported at the end, the others are done.
        try #require(try CLI.run(importArguments([4], into: "c"), cwd: t).status == 0)
        try Data("not a jpeg".utf8).write(to: URL(fileURLWithPath: t + "/broken.jpg"))
        let mixed = try CLI.run(["apply", "--model", "c", "broken.jpg", "frames/H05_00Aa.jpg", "-o", "y", "--pixel-size", "0.2273", "--no-overlays"], cwd: t)
        #expect(mixed.status != 0 && mixed.stderr.contains("broken.jpg") && mixed.stderr.contains("1 of 2 images failed"), "\(mixed.stderr)")
        #expect(CLI.exists(t + "/y/H05_00Aa.csv") && !CLI.exists(t + "/y/broken.csv"))
        #expect(try String(contentsOfFile: t + "/y/grades.csv", encoding: .utf8).contains("H05_00Aa"))
    }
}
