import Foundation
import MitosisImage
import MitosisPipeline
import MitosisTraining
import Testing

/// Every command as a user types it: relative paths, from a working folder that is not the data's, and
/// with spaces in the output paths (issue: `mitosis demo` and `run` wrote a relative database path into
/// the fold's net, where it was resolved a second time against the net's folder).
@Suite(.serialized) struct RelativePathCLITests {
    /// The layout: ROOT/work is the working folder; the cohort is ../cohort from there.
    static func workspace(_ name: String) throws -> (root: String, work: String) {
        let root = try CLI.temporaryFolder(name)
        let work = root + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        return (root, work)
    }

    @Test func stepByStepCommandsTakeRelativePaths() throws {
        let (root, work) = try Self.workspace("relative-steps")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func mitosis(_ args: String...) throws -> CLI.Result {
            let r = try CLI.run(args, cwd: work)
            #expect(r.status == 0, "mitosis \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
            return r
        }
        _ = try mitosis("synth", "../cohort", "--patients", "4", "--images-per-patient", "1", "--size", "288", "--seed", "4", "-q")
        _ = try mitosis("patches", "../cohort", "p", "--seed", "4", "--positive-angles", "0", "--negative-angles", "0",
                        "--negative-ratio", "1", "-q")
        _ = try mitosis("folds", "p", "--folds", "2", "-q")
        _ = try mitosis("db", "p", "-q")

        // `train --folds`: a templated solver and net whose relative paths are the solver folder's, as Caffe's.
        let model = work + "/model dir"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try NetTemplates.trainNet(trainDB: "../p/DB_train_%(kfoldi)d", testDB: "../p/DB_test_%(kfoldi)d",
                                  meanFile: "../p/DB_train_w32_%(kfoldi)d.binaryproto", backend: "lmdb", batchSize: 16, testBatchSize: 16)
            .write(toFile: model + "/net.prototxt", atomically: true, encoding: .utf8)
        try NetTemplates.deployNet().write(toFile: model + "/deploy.prototxt", atomically: true, encoding: .utf8)
        try NetTemplates.solver(net: "net.prototxt", snapshotPrefix: "fold%(kfoldi)d", maxIter: 2, testIter: 1,
                                testInterval: 1000, snapshot: 1000)
            .write(toFile: model + "/solver.prototxt", atomically: true, encoding: .utf8)
        _ = try mitosis("train", "--solver", "model dir/solver.prototxt", "--folds", "1-2", "--jobs", "2", "-q")
        for k in 1...2 { #expect(CLI.exists("\(model)/fold\(k)_iter_2.caffemodel"), "fold \(k) not trained") }

        // probmap, detect, evaluate, grade.
        let summary = try FoldStep.Summary.read(from: work + "/p")
        let fold = try #require(summary.folds.first { $0.fold == 1 })
        _ = try mitosis("probmap", "--net", "model dir/deploy.prototxt", "--weights", "model dir/fold1_iter_2.caffemodel",
                        "--mean", "p/DB_train_w32_1.binaryproto", "../cohort", "-o", "maps out", "-q")
        #expect(CLI.exists(work + "/maps out/01_01_prob.png"))
        _ = try mitosis("detect", "maps out", "-o", "det out", "--images", "../cohort", "--threshold", "0.2", "-q")
        #expect(CLI.exists(work + "/det out/01_01.csv"))
        let evaluation = try mitosis("evaluate", "--truth", "../cohort", "--detections", "det out", "--folds", "p/folds.json")
        #expect(evaluation.stdout.contains("F1"), "\(evaluation.stdout)")
        let grade = try mitosis("grade", "--detections", "det out", "--images", "../cohort")
        #expect(grade.stdout.contains("01"), "\(grade.stdout)")

        // refine into a folder with a space, then train its round-2 solver from yet another working folder.
        _ = try mitosis("refine", "../cohort", "--patches", "p", "--fold", "1", "--net", "model dir/deploy.prototxt",
                        "--weights", "model dir/fold1_iter_2.caffemodel", "--mean", "p/DB_train_w32_1.binaryproto",
                        "-o", "refine out", "--pixels-per-image", "200", "--positive-angles", "0", "--negative-angles", "0",
                        "--iterations", "2", "-q")
        let again = try CLI.run(["train", "--solver", "work/refine out/solver.prototxt", "-q"], cwd: root)
        #expect(again.status == 0, "round-2 train: \(again.stdout)\n\(again.stderr)")
        #expect(CLI.exists(work + "/refine out/round2_1_iter_2.caffemodel"))
        #expect(!fold.trainPatients.isEmpty)
    }

    /// `demo` (and so `run`) with a relative output path holding a space; then the output folder is moved
    /// and the run resumed from it: nothing in it may point at the old place.
    @Test func demoRunsWithARelativeOutputWithASpaceAndSurvivesAMove() throws {
        let (root, work) = try Self.workspace("relative-demo")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let args = ["demo", "--quick", "--output", "demo out", "--size", "256", "--iterations", "3", "-q"]
        let first = try CLI.run(args, cwd: work)
        try #require(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("Round 2"), "\(first.stdout)")
        #expect(first.stdout.contains("report: demo out/run/report.html"), "\(first.stdout)")
        #expect(CLI.exists(work + "/demo out/run/report.html"))
        // Paths inside the nets are relative to the net's folder.
        let net = try String(contentsOfFile: work + "/demo out/run/round1/fold_1/net.prototxt", encoding: .utf8)
        #expect(net.contains("source: \"../db/DB_train_1\""), "\(net)")
        #expect(!net.contains(work))
        // `detect` + `evaluate` on run's own held-out maps give run's figures, fold by fold: one detection
        // code path and one score unit (log-odds) for both (they used to differ: detect scored in P).
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/demo out/run/report.json"))) as! [String: Any]
        let finalRound = (report["rounds"] as! [[String: Any]]).last!
        for fold in finalRound["folds"] as! [[String: Any]] {
            let k = (fold["fold"] as! NSNumber).intValue
            let patients = fold["testPatients"] as! [String]
            let threshold = (fold["threshold"] as! NSNumber).floatValue
            let counts = fold["counts"] as! [String: Any]
            let maps = patients.map { "demo out/run/round2/maps/\($0)_01_prob.png" }
            let detect = try CLI.run(["detect"] + maps + ["-o", "det \(k)", "--threshold", "0.05", "-q"], cwd: work)
            try #require(detect.status == 0, "\(detect.stdout)\n\(detect.stderr)")
            let evaluate = try CLI.run(["evaluate", "--truth", "demo out/cohort", "--detections", "det \(k)",
                                        "--threshold=\(threshold)", "-o", "eval \(k)"], cwd: work)
            try #require(evaluate.status == 0, "\(evaluate.stdout)\n\(evaluate.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/eval \(k)/evaluation.json"))) as! [String: Any]
            // The fold's own test patients (evaluate also lists the others' images, with no detection file).
            let rows = (json["patients"] as! [[String: Any]]).filter { patients.contains($0["name"] as? String ?? "") }
            #expect(rows.count == patients.count)
            for key in ["truePositives", "falsePositives", "falseNegatives"] {
                let sum = rows.map { ($0[key] as! NSNumber).intValue }.reduce(0, +)
                #expect(sum == (counts[key] as? NSNumber)?.intValue, "fold \(k) \(key): evaluate \(rows), run \(counts)")
            }
        }

        // Move the whole output and resume from the new place: every step is found finished.
        try FileManager.default.moveItem(atPath: work + "/demo out", toPath: root + "/moved demo")
        // A finished fold's step-6 intermediates are not needed again: with them gone, the resume must not
        // rebuild them (it used to rebuild round-2 databases of folds whose round-2 models existed).
        let step6 = root + "/moved demo/run/round2/fold_1"
        #expect(!CLI.exists(step6 + "/db/DB_train_1"), "run writes no round-2 database unless --databases")
        try FileManager.default.removeItem(atPath: step6 + "/patches")
        let resumed = try CLI.run(["demo", "--quick", "--output", "../moved demo", "--size", "256", "--iterations", "3"], cwd: work)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stderr.contains("training skipped"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("step 6 and training skipped"), "\(resumed.stderr)")
        #expect(!CLI.exists(step6 + "/patches") && !CLI.exists(step6 + "/db/DB_train_1"), "step 6 was rebuilt")
        #expect(CLI.exists(root + "/moved demo/run/report.html"))
    }

    /// `synth --patients 6` followed by `run` with the default 5 folds: every patient has a mitosis now.
    @Test func aSixPatientCohortRunsWithFiveFolds() throws {
        let (root, work) = try Self.workspace("six-patients")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let synth = try CLI.run(["synth", "cohort", "--patients", "6", "--images-per-patient", "1", "--size", "256", "--seed", "3"], cwd: work)
        try #require(synth.status == 0, "\(synth.stderr)")
        #expect(!synth.stdout.contains("without mitoses"), "\(synth.stdout)")
        let run = try CLI.run(["run", "cohort", "out", "--iterations", "2", "--no-refine", "-q"], cwd: work)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("over 5 folds"), "\(run.stdout)")
    }
}

/// The pixel-size path end to end on real tissue: two real frames of two patients from
/// ../shared/real/mitos-atypia-14-H (0.2273 um/px, JPEG without resolution tags), linked into a dataset
/// folder, through `run --pixel-size 0.2273` with a few iterations (plumbing, not quality).
@Suite(.serialized) struct RealFramesCLITests {
    static let cohort = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real/mitos-atypia-14-H").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: cohort), "needs ../shared/real/mitos-atypia-14-H"))
    func twoRealFramesRunAtTheirPixelSize() throws {
        let t = try CLI.temporaryFolder("real-frames")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let data = t + "/frames"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for name in ["H03_00Aa", "H10_00Ac"] {
            for ext in ["jpg", "csv"] {
                try FileManager.default.createSymbolicLink(atPath: "\(data)/\(name).\(ext)", withDestinationPath: "\(Self.cohort)/\(name).\(ext)")
            }
        }
        let run = try CLI.run(["run", "frames", "out", "--folds", "2", "--iterations", "2", "--no-refine", "--pixel-size", "0.2273"], cwd: t)
        try #require(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("pixel size 0.2273 um (given)") && run.stderr.contains("scale 0.4546"), "\(run.stderr)")
        // Maps at the working resolution: 1663 x 1485 at 0.2273 um/px -> 0.5 um/px (MATLAB's imresize: ceil).
        let map = try ImageIO.read(t + "/out/round1/maps/H03_00Aa_prob.png")
        #expect(map.width == Int((1663 * 0.4546).rounded(.up)) && map.height == Int((1485 * 0.4546).rounded(.up)), "\(map.width)x\(map.height)")
        let summary = try String(contentsOfFile: t + "/out/summary.txt", encoding: .utf8)
        #expect(summary.contains("33.0 px (7.5 um)"), "\(summary)")
        // The run's model bundle applies to a frame at the same pixel size; its detections are in the frame's pixels.
        let applied = try CLI.run(["apply", "--model", "out/model", "frames/H10_00Ac.jpg", "-o", "applied", "--pixel-size", "0.2273", "--no-overlays"], cwd: t)
        try #require(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        #expect(applied.stderr.contains("2 model(s) averaged") && applied.stderr.contains("scale 0.4546"), "\(applied.stderr)")
        #expect(try String(contentsOfFile: t + "/applied/grades.csv", encoding: .utf8).contains("H10_00Ac"))
        // The step-by-step commands take the pixel size as `run` does.
        let probmap = try CLI.run(["probmap", "--net", "out/round1/fold_1/deploy.prototxt", "--weights", "out/round1/fold_1/model_iter_2.caffemodel",
                                   "--mean", "out/round1/db/DB_train_w32_1.binaryproto", "frames/H03_00Aa.jpg", "-o", "pm",
                                   "--pixel-size", "0.2273", "-q"], cwd: t)
        try #require(probmap.status == 0, "\(probmap.stdout)\n\(probmap.stderr)")
        let own = try ImageIO.read(t + "/pm/H03_00Aa_prob.png")
        #expect(own.width == map.width && own.height == map.height, "\(own.width)x\(own.height)")
        let detect = try CLI.run(["detect", "out/round1/maps", "-o", "det", "--pixel-size", "0.2273", "--threshold", "0.01", "-q"], cwd: t)
        try #require(detect.status == 0, "\(detect.stdout)\n\(detect.stderr)")
        let evaluate = try CLI.run(["evaluate", "--truth", "frames", "--detections", "det", "--pixel-size", "0.2273", "-o", "ev"], cwd: t)
        try #require(evaluate.status == 0, "\(evaluate.stdout)\n\(evaluate.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t + "/ev/evaluation.json"))) as! [String: Any]
        #expect(abs((json["radius"] as! NSNumber).doubleValue - 7.5 / 0.2273) < 1e-9, "\(json["radius"] ?? "")")
        // Detections are written in the frames' own pixels (1663 x 1485). MATLAB's imresize makes ceil(0.4546 x
        // 1485) = 676 map rows, whose last row's centre maps to 1485.4: up to one pixel past the frame's edge.
        let csv = try String(contentsOfFile: t + "/det/H03_00Aa.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(!csv.isEmpty)
        for line in csv {
            let xy = line.split(separator: ",").compactMap { Double($0) }
            #expect(xy[0] >= -0.5 && xy[0] < 1664 && xy[1] >= -0.5 && xy[1] < 1486, "\(line)")
        }

        // Without the pixel size, JPEGs record none: the run says what it assumes before anything else (here it
        // then stops at step 2: two patients cannot make three folds).
        let assumed = try CLI.run(["run", "frames", "out2", "--folds", "3", "--iterations", "1", "--no-refine"], cwd: t)
        #expect(assumed.stderr.contains("assuming 0.25 um") && assumed.stderr.contains("--pixel-size"), "\(assumed.stderr)")
    }
}
