import Foundation
import Testing

/// End-to-end runs of the built `mitosis` binary on tiny synthetic cohorts.
@Suite(.serialized) struct PipelineCLITests {
    @Test func stepsOneToThreeInSequence() throws {
        let t = try CLI.temporaryFolder("steps")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let synth = try CLI.run(["synth", t + "/cohort", "--patients", "5", "--images-per-patient", "1", "--size", "320", "--seed", "3"])
        #expect(synth.status == 0, "\(synth.stderr)")
        for f in ["01_01.tif", "01_01.csv", "01_01_pc.png", "01_01_cmask.png", "05_01.tif"] { #expect(CLI.exists("\(t)/cohort/\(f)")) }
        let check = try CLI.run(["dataset", "check", t + "/cohort"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("5 patients, 5 images"))
        let patches = try CLI.run(["patches", t + "/cohort", t + "/p", "--seed", "3"])
        #expect(patches.status == 0, "\(patches.stderr)")
        #expect(CLI.exists(t + "/p/index.json"))
        let folds = try CLI.run(["folds", t + "/p", "--folds", "2"])
        #expect(folds.status == 0, "\(folds.stderr)")
        for k in 1...2 {
            for f in ["train_w32_parent_\(k).txt", "test_w32_parent_\(k).txt", "train_w32_\(k).txt", "test_w32_\(k).txt"] {
                #expect(CLI.exists("\(t)/p/\(f)"), "missing \(f)")
            }
        }
        let line = try String(contentsOfFile: t + "/p/train_w32_1.txt", encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(line.range(of: #"^\d\d_\d\d_[01]_[pn]_\d+_\d+\.png [01]$"#, options: .regularExpression) != nil, "\(line)")
        let db = try CLI.run(["db", t + "/p", "--backend", "leveldb"])
        #expect(db.status == 0, "\(db.stderr)")
        for f in ["DB_train_1/CURRENT", "DB_test_2/CURRENT", "DB_train_w32_1.binaryproto"] { #expect(CLI.exists("\(t)/p/\(f)")) }
    }

    @Test func badInputGivesANamedErrorAndNonZeroExit() throws {
        let t = try CLI.temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: t) }
        _ = try CLI.run(["synth", t, "--patients", "2", "--images-per-patient", "1", "--size", "128", "--no-cmask"])
        try "10,20\nnot,a,number\n".write(toFile: t + "/01_01.csv", atomically: true, encoding: .utf8)
        let check = try CLI.run(["dataset", "check", t])
        #expect(check.status != 0)
        #expect(check.stdout.contains("01_01.csv:2"))
        let missing = try CLI.run(["patches", t + "/nowhere", t + "/p"])
        #expect(missing.status != 0)
        #expect((missing.stdout + missing.stderr).contains("nowhere"))
    }

    @Test func wholePipelineEndToEnd() throws {
        let t = try CLI.temporaryFolder("run")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let synth = try CLI.run(["synth", t + "/cohort", "--patients", "4", "--images-per-patient", "1", "--size", "384", "--seed", "2"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let args = ["run", t + "/cohort", t + "/out", "--folds", "2", "--iterations", "40", "--base-lr", "0.01", "--seed", "2"]
        let run = try CLI.run(args)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        for f in ["report.html", "report.json", "summary.txt", "round1/patches/index.json", "round1/fold_1/model_iter_40.caffemodel",
                  "round1/fold_1/model_log.csv", "round1/fold_1/model_loss.png", "round2/fold_2/model_iter_40.caffemodel"] {
            #expect(CLI.exists("\(t)/out/\(f)"), "missing \(f)")
        }
        // Every image of the cohort is held out once: maps and detections for all four.
        for p in 1...4 {
            let name = String(format: "%02d_01", p)
            #expect(CLI.exists("\(t)/out/round2/maps/\(name)_prob.png"))
            #expect(CLI.exists("\(t)/out/detections/\(name).geojson"))
            #expect(CLI.exists("\(t)/out/detections/\(name)_overlay.png"))
        }
        // Well above chance: the report's pooled counts of the final round against the same number of
        // detections thrown uniformly at random (each lands within 30 px of one of T centres with probability
        // about T * pi * 30^2 / area).
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t + "/out/report.json"))) as! [String: Any]
        let rounds = json["rounds"] as! [[String: Any]]
        #expect(rounds.count == 2)
        var tp = 0, fp = 0, fn = 0
        for fold in rounds.last!["folds"] as! [[String: Any]] {
            let c = fold["counts"] as! [String: Int]
            tp += c["truePositives"]!; fp += c["falsePositives"]!; fn += c["falseNegatives"]!
        }
        let f1 = Double(2 * tp) / Double(max(1, 2 * tp + fp + fn))
        let truth = tp + fn, detections = tp + fp
        let hit = min(1, Double(truth) / 4 * Double.pi * 900 / (384.0 * 384.0))
        let chanceTP = Double(detections) * hit
        let chanceF1 = 2 * chanceTP / Double(max(1, detections + truth))
        #expect(tp >= 1 && f1 > 3 * chanceF1, "pooled F1 \(f1) vs chance \(chanceF1) (TP \(tp) FP \(fp) FN \(fn))")
        // Re-running resumes: every step is skipped and the same report comes out.
        let again = try CLI.run(args)
        #expect(again.status == 0)
        #expect((again.stderr).contains("training skipped"))
    }
}
