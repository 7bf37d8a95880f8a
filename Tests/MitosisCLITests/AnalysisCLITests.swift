import Foundation
import MitosisImage
import MitosisPipeline
import Testing

/// `mitosis detect`, `evaluate` and `grade` on hand-made inputs with known answers.
@Suite(.serialized) struct AnalysisCLITests {
    // MARK: helpers

    static func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Writes an image, creating its folder.
    static func save(_ image: Image, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try ImageIO.write(image, to: path)
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Rows of an `x,y,logodds` CSV.
    static func detections(_ path: String) throws -> [[Double]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "x,y,logodds")
        return lines.dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
    }

    /// A map with unit Gaussian blobs (sigma 5 map pixels; about 0.71 after the radius-6 disk mean) centred on whole pixels.
    static func blobs(width: Int, height: Int, at centres: [(Int, Int)]) -> FloatPlane {
        var plane = FloatPlane(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var v = 0.0
                for c in centres {
                    let dx = Double(x - c.0), dy = Double(y - c.1)
                    v = max(v, exp(-(dx * dx + dy * dy) / 50))
                }
                plane[x, y] = Float(v)
            }
        }
        return plane
    }

    /// 40x coordinate of a map pixel, the documented formula.
    static func full(_ v: Int, scale: Double) -> Double { (Double(v) + 0.5) / scale - 0.5 }

    static func counts(_ row: Any?) -> [Int] {
        let r = row as? [String: Any] ?? [:]
        return ["truePositives", "falsePositives", "falseNegatives"].map { (r[$0] as? NSNumber)?.intValue ?? -1 }
    }

    static func number(_ row: Any?, _ key: String) -> Double? {
        ((row as? [String: Any])?[key] as? NSNumber)?.doubleValue
    }

    // MARK: detect

    @Test func detectFindsTwoBlobsAtTheDocumentedCoordinatesAndSurvivesABadMap() throws {
        let t = try CLI.temporaryFolder("detect")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let blobs = [(30, 40), (85, 60)]
        try ProbabilityImages.write(Self.blobs(width: 120, height: 100, at: blobs), base: t + "/maps/01_01")
        try Self.write("this is not a PNG\n", t + "/maps/02_01_prob.png")
        // Original image (40x, twice the map) with ground truth: one centre on the first blob, one missed.
        try Self.save(Image(width: 240, height: 200, channels: 3, fill: 128), to: t + "/images/01_01.png")
        try Self.write("x,y\n60,80\n20,180\n", t + "/images/01_01.csv")

        let run = try CLI.run(["detect", t + "/maps", t + "/nowhere_prob.png", "-o", t + "/out", "--images", t + "/images"])
        #expect(run.status != 0, "a bad map must make the exit code non-zero")
        #expect(run.stderr.contains("02_01_prob.png"), "\(run.stderr)")
        #expect(run.stderr.contains("nowhere_prob.png"), "\(run.stderr)")
        #expect(run.stdout.contains("01_01: 2 detections"), "\(run.stdout)")
        #expect(run.stdout.contains("TP 1, FP 1, FN 1"), "\(run.stdout)")

        let rows = try Self.detections(t + "/out/01_01.csv")
        try #require(rows.count == 2)
        let expected = blobs.map { (Self.full($0.0, scale: 0.5), Self.full($0.1, scale: 0.5)) }
        for (row, e) in zip(rows.sorted { $0[0] < $1[0] }, expected) {
            #expect(abs(row[0] - e.0) < 0.01 && abs(row[1] - e.1) < 0.01, "\(row) vs \(e)")
            #expect(row[2] > 0.5 && row[2] <= 1)
        }
        let geo = try Self.json(t + "/out/01_01.geojson")
        #expect(geo["type"] as? String == "FeatureCollection")
        let features = try #require(geo["features"] as? [[String: Any]])
        #expect(features.count == 2)
        let coords = features.compactMap { (($0["geometry"] as? [String: Any])?["coordinates"] as? [NSNumber])?.map(\.doubleValue) }
        #expect(Set(coords.map { "\($0[0]),\($0[1])" }) == Set(rows.map { "\($0[0]),\($0[1])" }))
        #expect(!CLI.exists(t + "/out/02_01.csv"))

        // Overlay at the map's resolution: green ring on the true positive, orange-red on the false positive.
        let overlay = try ImageIO.read(t + "/out/01_01_overlay.png")
        #expect(overlay.width == 120 && overlay.height == 100)
        #expect([overlay[42, 40, 0], overlay[42, 40, 1], overlay[42, 40, 2]] == [0, 200, 70])
        #expect([overlay[97, 60, 0], overlay[97, 60, 1], overlay[97, 60, 2]] == [255, 72, 0])

        // Row-first ground truth with --csv-order yx gives the same matching.
        try Self.save(Image(width: 240, height: 200, channels: 3, fill: 128), to: t + "/yx/01_01.png")
        try Self.write("80,60\n180,20\n", t + "/yx/01_01.csv")
        let yx = try CLI.run(["detect", t + "/maps/01_01_prob.png", "-o", t + "/outyx", "--images", t + "/yx", "--csv-order", "yx"])
        #expect(yx.status == 0, "\(yx.stderr)")
        #expect(yx.stdout.contains("TP 1, FP 1, FN 1"), "\(yx.stdout)")

        // Another scale, only the good map: exit 0, coordinates follow (x + 0.5) / scale - 0.5.
        let quarter = try CLI.run(["detect", t + "/maps/01_01_prob.png", "-o", t + "/q", "--scale", "0.25", "--threshold", "0.3"])
        #expect(quarter.status == 0, "\(quarter.stderr)")
        let q = try Self.detections(t + "/q/01_01.csv").sorted { $0[0] < $1[0] }
        try #require(q.count == 2)
        #expect(abs(q[0][0] - Self.full(30, scale: 0.25)) < 0.01 && abs(q[1][1] - Self.full(60, scale: 0.25)) < 0.01, "\(q)")
        // A threshold above every smoothed peak finds nothing (and still writes the empty files).
        let none = try CLI.run(["detect", t + "/maps/01_01_prob.png", "-o", t + "/n", "--threshold", "0.99"])
        #expect(none.status == 0)
        #expect(try Self.detections(t + "/n/01_01.csv").isEmpty)
    }

    // MARK: evaluate

    /// Truth: 01_01 {A (100,100), B (300,300)}, 01_02 {(500,500)}, 02_01 {(50,50)} without detections,
    /// 03_01 {(200,200)}. Detections: two near A (1 TP + 1 FP), one exactly 30 px from B (TP), one 30.5 px
    /// from 01_02's centre (FP, FN), one on 03_01's centre with a low score.
    static func evaluationInputs(_ t: String) throws {
        try write("x,y\n100,100\n300,300\n", t + "/truth/01_01.csv")
        try write("500,500\n", t + "/truth/01_02.csv")
        try write("50,50\n", t + "/truth/02_01.csv")
        try write("200,200\r\n", t + "/truth/03_01.csv")
        try write("x,y,logodds\n105,100,0.9\n110,100,0.6\n330,300,0.8\n", t + "/det/01_01.csv")
        try write("x,y,logodds\n530.5,500,0.95\n", t + "/det/01_02.csv")
        try write("x,y,logodds\n200,200,0.4\n", t + "/det/03_01.csv")
        try write("{\"folds\":[{\"fold\":1,\"testPatients\":[\"01\"]},{\"fold\":2,\"testPatients\":[\"02\",\"03\"]}]}", t + "/folds.json")
    }

    @Test func evaluateCountsKnownMatches() throws {
        let t = try CLI.temporaryFolder("evaluate")
        defer { try? FileManager.default.removeItem(atPath: t) }
        try Self.evaluationInputs(t)
        let run = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det", "-o", t + "/out"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("02_01"), "missing detection file must be a warning: \(run.stderr)")
        #expect(run.stdout.contains("total: TP 3, FP 2, FN 2; precision 0.600, recall 0.600, F1 0.600"), "\(run.stdout)")
        let report = try Self.json(t + "/out/evaluation.json")
        let images = try #require(report["images"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: images.map { ($0["name"] as! String, $0) })
        #expect(Self.counts(byName["01_01"]) == [2, 1, 0])
        #expect(Self.counts(byName["01_02"]) == [0, 1, 1])
        #expect(Self.counts(byName["02_01"]) == [0, 0, 1])
        #expect(Self.counts(byName["03_01"]) == [1, 0, 0])
        #expect(byName["02_01"]?["detectionFile"] as? Bool == false)
        let patients = try #require(report["patients"] as? [[String: Any]])
        #expect(patients.map { $0["name"] as? String } == ["01", "02", "03"])
        #expect(Self.counts(patients[0]) == [2, 2, 1])
        #expect(abs((Self.number(patients[0], "f1") ?? 0) - 4.0 / 7) < 1e-9)
        #expect(Self.counts(report["total"]) == [3, 2, 2])
        #expect((report["warnings"] as? [String])?.contains { $0.contains("02_01") } == true)
        let csv = try String(contentsOfFile: t + "/out/evaluation.csv", encoding: .utf8)
        #expect(csv.hasPrefix("level,name,patient,fold,images,threshold,tp,fp,fn,precision,recall,f1\n"))
        #expect(csv.contains("\nimage,01_01,01,,1,,2,1,0,0.6667,1.0000,0.8000\n"), "\(csv)")
        #expect(csv.contains("\ntotal,total,,,4,,3,2,2,0.6000,0.6000,0.6000\n"), "\(csv)")

        // --threshold 0.7 keeps 105,100 (0.9), 330,300 (0.8) and 530.5,500 (0.95).
        let filtered = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det", "--threshold", "0.7", "-o", t + "/f"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(Self.counts(try Self.json(t + "/f/evaluation.json")["total"]) == [2, 1, 3])

        // A larger radius turns the 30.5 px detection into a true positive.
        let wide = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det", "--radius", "31"])
        #expect(wide.stdout.contains("total: TP 4, FP 1, FN 1"), "\(wide.stdout)")
    }

    @Test func evaluateFoldsAndSweep() throws {
        let t = try CLI.temporaryFolder("folds")
        defer { try? FileManager.default.removeItem(atPath: t) }
        try Self.evaluationInputs(t)
        let run = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det", "--folds", t + "/folds.json",
                               "--sweep", "-o", t + "/out"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.json(t + "/out/evaluation.json")
        let folds = try #require(report["folds"] as? [[String: Any]])
        #expect(folds.count == 2)
        #expect(Self.counts(folds[0]) == [2, 2, 1])  // patient 01
        #expect(Self.counts(folds[1]) == [1, 0, 1])  // patients 02 and 03
        let f1 = [4.0 / 7, 2.0 / 3], mean = (f1[0] + f1[1]) / 2, std = abs(f1[0] - f1[1]) / 2.0.squareRoot()
        let summary = try #require((report["foldSummary"] as? [String: Any])?["f1"] as? [String: Any])
        #expect(abs((summary["mean"] as! NSNumber).doubleValue - mean) < 1e-9)
        #expect(abs((summary["std"] as! NSNumber).doubleValue - std) < 1e-9)
        #expect(run.stdout.contains("F1 \(String(format: "%.3f", mean)) +/- \(String(format: "%.3f", std))"), "\(run.stdout)")

        // Pooled F1 over the distinct scores 0.95, 0.9, 0.8, 0.6, 0.4 is 0, 2/7, 1/2, 4/9, 3/5: best at 0.4.
        let sweep = try #require(report["sweep"] as? [String: Any])
        let curve = try #require(sweep["curve"] as? [[String: Any]])
        #expect(curve.compactMap { Self.number($0, "threshold") }.map { ($0 * 100).rounded() } == [95, 90, 80, 60, 40])
        #expect(zip(curve.compactMap { Self.number($0, "f1") }, [0, 2.0 / 7, 0.5, 4.0 / 9, 0.6]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(abs((Self.number(sweep["best"], "threshold") ?? 0) - 0.4) < 1e-6)
        #expect(run.stdout.contains("best F1 0.600 at threshold 0.40"), "\(run.stdout)")
        #expect(run.stdout.contains("optimistic"))
        // Cross-validated: fold 1 takes 0.4 from fold 2's images; fold 2 takes 0.8 from fold 1's, which drops 03_01's 0.4.
        let cv = try #require(sweep["crossValidated"] as? [[String: Any]])
        #expect(abs((Self.number(cv[0], "threshold") ?? 0) - 0.4) < 1e-6 && Self.counts(cv[0]) == [2, 2, 1])
        #expect(abs((Self.number(cv[1], "threshold") ?? 0) - 0.8) < 1e-6 && Self.counts(cv[1]) == [0, 0, 2])
        let png = try ImageIO.read(t + "/out/pr_curve.png")
        #expect(png.width > 100 && png.height > 100)
    }

    @Test func evaluateRejectsBadInputWithTheFileAndLine() throws {
        let t = try CLI.temporaryFolder("evalbad")
        defer { try? FileManager.default.removeItem(atPath: t) }
        try Self.evaluationInputs(t)
        try Self.write("x,y,logodds\n1,2,0.5\n3,four,0.5\n", t + "/det/01_02.csv")
        let bad = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("01_02.csv") && bad.stderr.contains("line 3"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("Fatal error"))

        try Self.write("x,y,logodds\n", t + "/det/01_02.csv")
        try Self.write("10,20\nbad,line\n", t + "/truth/03_01.csv")
        let badTruth = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det"])
        #expect(badTruth.status != 0)
        #expect(badTruth.stderr.contains("03_01.csv:2"), "\(badTruth.stderr)")

        try Self.write("200,200\n", t + "/truth/03_01.csv")
        let missing = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/nowhere"])
        #expect(missing.status != 0)
        #expect((missing.stdout + missing.stderr).contains("nowhere"), "\(missing.stderr)")
        let noFolds = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det", "--folds", t + "/none.json"])
        #expect(noFolds.status != 0)
        #expect(noFolds.stderr.contains("none.json"), "\(noFolds.stderr)")
        try Self.write("{\"folds\": 3}", t + "/bad.json")
        let badFolds = try CLI.run(["evaluate", "--truth", t + "/truth", "--detections", t + "/det", "--folds", t + "/bad.json"])
        #expect(badFolds.status != 0)
        #expect(badFolds.stderr.contains("bad.json") && badFolds.stderr.contains("mitosis folds"), "\(badFolds.stderr)")
    }

    // MARK: grade

    @Test func gradeGivesEachScoreFromCountsAndImageSizes() throws {
        let t = try CLI.temporaryFolder("grade")
        defer { try? FileManager.default.removeItem(atPath: t) }
        // --pixel-size 10 um: a 100x100 image is 1 mm^2; per 10 HPF = count / area x 1.96.
        try Self.save(Image(width: 100, height: 100, channels: 3, fill: 200), to: t + "/ds/01_01.png")
        try Self.save(Image(width: 100, height: 100, channels: 3, fill: 200), to: t + "/ds/01_02.tif")
        try Self.save(Image(width: 100, height: 200, channels: 3, fill: 200), to: t + "/ds/02_01.jpg")
        try Self.save(Image(width: 50, height: 100, channels: 1, fill: 200), to: t + "/ds/03_01.png")
        try Self.save(Image(width: 64, height: 64, channels: 3, fill: 200), to: t + "/ds/04_01.png")  // no detections
        func detections(_ scores: [Double]) -> String {
            "x,y,logodds\n" + scores.enumerated().map { "\($0.offset * 3),5,\($0.element)\n" }.joined()
        }
        try Self.write(detections([0.9, 0.9]), t + "/det/01_01.csv")
        try Self.write(detections([0.9]), t + "/det/01_02.csv")
        try Self.write(detections(Array(repeating: 0.9, count: 8)), t + "/det/02_01.csv")
        try Self.write(detections([0.9, 0.9, 0.3, 0.3]), t + "/det/03_01.csv")

        let run = try CLI.run(["grade", "--detections", t + "/det", "--images", t + "/ds", "--pixel-size", "10", "-o", t + "/out"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("04_01"), "an image without detections is a warning: \(run.stderr)")
        let grades = try Self.json(t + "/out/grades.json")
        let patients = try #require(grades["patients"] as? [[String: Any]])
        #expect(patients.map { $0["patient"] as? String } == ["01", "02", "03"])
        let g = patients.map { $0["grade"] as? [String: Any] ?? [:] }
        // 3 in 2 mm^2 -> 2.94 -> 1; 8 in 2 mm^2 -> 7.84 -> 8 -> 2; 4 in 0.5 mm^2 -> 15.68 -> 3.
        #expect(g.map { ($0["score"] as? NSNumber)?.intValue } == [1, 2, 3])
        let per10 = g.compactMap { ($0["per10HPF"] as? NSNumber)?.doubleValue }
        #expect(zip(per10, [2.94, 7.84, 15.68]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(per10)")
        #expect(zip(g.compactMap { ($0["areaMM2"] as? NSNumber)?.doubleValue }, [2, 2, 0.5]).allSatisfy { abs($0 - $1) < 1e-12 })
        let images = try #require(grades["images"] as? [[String: Any]])
        let jpeg = try #require(images.first { $0["name"] as? String == "02_01" })
        #expect((jpeg["width"] as? NSNumber)?.intValue == 100 && (jpeg["height"] as? NSNumber)?.intValue == 200)
        #expect(images.count == 4)
        let csv = try String(contentsOfFile: t + "/out/grades.csv", encoding: .utf8)
        #expect(csv.hasPrefix("level,name,patient,images,width,height,mitoses,area_mm2,hpf,per_mm2,per_10hpf,score\n"))
        #expect(csv.contains("\npatient,03,03,1,,,4,0.500000,2.5510,8.0000,15.6800,3\n"), "\(csv)")

        // --threshold 0.5 drops patient 03's two low scores: 2 in 0.5 mm^2 -> 7.84 -> 2.
        let filtered = try CLI.run(["grade", "--detections", t + "/det", "--images", t + "/ds", "--pixel-size", "10",
                                    "--threshold", "0.5", "-o", t + "/f"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        let f = try #require(try Self.json(t + "/f/grades.json")["patients"] as? [[String: Any]])
        #expect(((f[2]["grade"] as? [String: Any])?["score"] as? NSNumber)?.intValue == 2)

        // Defaults: 0.25 um pixels, so patient 01 covers 2 x 100 x 100 x 0.0625 um^2.
        let defaults = try CLI.run(["grade", "--detections", t + "/det", "--images", t + "/ds", "-o", t + "/d"])
        #expect(defaults.status == 0)
        let d = try #require(try Self.json(t + "/d/grades.json")["patients"] as? [[String: Any]])
        let area = ((d[0]["grade"] as? [String: Any])?["areaMM2"] as? NSNumber)?.doubleValue ?? 0
        #expect(abs(area - 2e4 * 0.0625e-6) < 1e-15)
    }

    @Test func gradeRejectsBadInput() throws {
        let t = try CLI.temporaryFolder("gradebad")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let missing = try CLI.run(["grade", "--detections", t + "/det", "--images", t + "/nowhere"])
        #expect(missing.status != 0)
        #expect((missing.stdout + missing.stderr).contains("nowhere"), "\(missing.stderr)")

        try Self.write("not an image\n", t + "/ds/05_01.png")
        try Self.write("x,y,logodds\n1,1,0.9\n", t + "/det/05_01.csv")
        let corrupt = try CLI.run(["grade", "--detections", t + "/det", "--images", t + "/ds"])
        #expect(corrupt.status != 0)
        #expect(corrupt.stderr.contains("05_01.png"), "\(corrupt.stderr)")

        // Ground-truth centre CSVs passed as detections: the header error says what a detection CSV is.
        try Self.save(Image(width: 32, height: 32, channels: 3, fill: 0), to: t + "/ds/05_01.png")
        try Self.write("10,20\n", t + "/truth/05_01.csv")
        let wrong = try CLI.run(["grade", "--detections", t + "/truth", "--images", t + "/ds"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("05_01.csv") && wrong.stderr.contains("x,y,logodds"), "\(wrong.stderr)")
    }
}
