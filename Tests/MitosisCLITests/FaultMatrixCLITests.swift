import Foundation
import MitosisSupport
import Testing

/// The fault matrix of issue 16 (docs/RELIABILITY.md) that other suites do not cover: a full disk while
/// writing maps and reports, an output folder that cannot be written, a centre off its image, masks of
/// another size than their image, and weights that do not fit their net. Each must give one clear error
/// naming the file and what to do, exit non-zero, and keep what was finished.
@Suite(.serialized, .enabled(if: getuid() == 0 && KillAnywhereCLITests.available,
                             "mounts small and read-only tmpfs disks (needs root, as in CI) and reads ../shared"))
struct FaultMatrixCLITests {
    /// A working folder with the synthetic test cohort (2 patients, one 128x128 image each), two real frames
    /// in `two/` and the tutorial author's first model imported as the bundle `author/`.
    static func workFolder(_ name: String) throws -> String {
        let t = try KillAnywhereCLITests.workFolder(name)
        try KillAnywhereCLITests.twoFrames(t)
        try KillAnywhereCLITests.importAuthor(t)
        return t
    }

    /// Mounts a tmpfs of `kilobytes` at `t/name` (read-only with `readOnly`), returning its path.
    static func mount(_ t: String, _ name: String, kilobytes: Int, readOnly: Bool = false) throws -> String {
        let disk = t + "/" + name
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(try system("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k" + (readOnly ? ",ro" : ""), "tmpfs", disk]) == 0, "mount failed")
        return disk
    }

    static func unmountAll(_ t: String, _ names: [String]) {
        for n in names { _ = try? system("/bin/umount", [t + "/" + n]) }
        try? FileManager.default.removeItem(atPath: t)
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Fills the disk at `disk` with a file `filler`, leaving `leave` bytes free.
    static func fill(_ disk: String, leave: Int64) throws {
        let free = try #require(DiskSpace.available(at: disk))
        let size = max(0, free - leave)
        try #require(FileManager.default.createFile(atPath: disk + "/filler", contents: Data(count: Int(size))), "cannot fill \(disk)")
    }

    static let probmap = ["probmap", "--net", "author/deploy_train32.prototxt", "--weights", "author/1_caffenet_train_w32_2nd_iter_600000.caffemodel",
                          "--mean", "author/DB_train_w32_1_2nd.binaryproto", "--scale", "0.4546", "two", "-q", "-o"]

    /// The disk fills while `probmap` writes the second frame's maps (~1.7 MB each): that image's error says
    /// the disk is full and names the file; the first frame's maps are complete and kept; no partial file
    /// stays; once there is space the same command maps only the second frame, and the maps equal those of
    /// a run on a roomy disk.
    @Test func probmapOnAFullDiskSaysSoKeepsFinishedMapsAndResumes() throws {
        let t = try Self.workFolder("fault-probmap")
        defer { Self.unmountAll(t, ["disk"]) }
        let reference = try CLI.run(Self.probmap + ["roomy"], cwd: t)
        try #require(reference.status == 0, "\(reference.stderr)")
        let disk = try Self.mount(t, "disk", kilobytes: 3 * 1024)

        let full = try CLI.run(Self.probmap + ["disk/maps"], cwd: t)
        #expect(full.status != 0)
        let message = full.stdout + full.stderr
        #expect(message.contains("cannot write \(disk)/maps/H03_00Ab_") && message.contains("the disk is full"), "\(message)")
        #expect(message.contains("free space and re-run the same command"), "\(message)")
        #expect(message.contains("1 of 2 images failed"), "\(message)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: disk + "/maps").sorted()
        #expect(kept == ["H03_00Aa_class.png", "H03_00Aa_logodds.tif", "H03_00Aa_prob.png"], "finished maps only, no partial files: \(kept)")
        for f in kept {
            #expect(FileManager.default.contents(atPath: disk + "/maps/" + f) == FileManager.default.contents(atPath: t + "/roomy/" + f), "\(f) is not complete")
        }
        let first = Self.modified(disk + "/maps/H03_00Aa_prob.png")

        try #require(try system("/bin/mount", ["-o", "remount,size=8m", disk]) == 0, "remount failed")
        let resumed = try CLI.run(Self.probmap + ["disk/maps"], cwd: t)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(Self.modified(disk + "/maps/H03_00Aa_prob.png") == first, "the finished frame was mapped again")
        let all = try FileManager.default.contentsOfDirectory(atPath: t + "/roomy").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk + "/maps").sorted() == all)
        for f in all {
            #expect(FileManager.default.contents(atPath: disk + "/maps/" + f) == FileManager.default.contents(atPath: t + "/roomy/" + f), "\(f) differs from the roomy disk's")
        }
    }

    /// Detection CSVs for the synthetic cohort (one near each true centre, one far away), for `evaluate`.
    static func detections(_ t: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: t + "/found", withIntermediateDirectories: true)
        for name in ["01_01", "02_01"] {
            let truth = try String(contentsOfFile: t + "/cohort/" + name + ".csv", encoding: .utf8)
            var rows = ["x,y,logodds"]
            for (k, line) in truth.split(separator: "\n").enumerated() {
                let xy = line.split(separator: ",").compactMap { Double($0) }
                if xy.count == 2 { rows.append("\(xy[0] + 2),\(xy[1] - 1),\(1.5 + Double(k))") }
            }
            rows.append("3,3,-0.5")
            try rows.joined(separator: "\n").appending("\n").write(toFile: t + "/found/" + name + ".csv", atomically: true, encoding: .utf8)
        }
    }

    /// A report written to a full disk: `evaluate --sweep` says the disk is full and names the file; the
    /// report of the previous run stays whole (every file under a final name is one run's complete file);
    /// once there is space the same command writes the report of a roomy disk.
    @Test func reportOnAFullDiskSaysSoAndKeepsTheFinishedReport() throws {
        let t = try CLI.temporaryFolder("fault-report")
        defer { Self.unmountAll(t, ["disk"]) }
        let synth = try CLI.run(["synth", "cohort", "--patients", "2", "--images-per-patient", "1", "--size", "128", "--seed", "16", "-q"], cwd: t)
        try #require(synth.status == 0, "\(synth.stderr)")
        try Self.detections(t)
        let evaluate = ["evaluate", "--truth", "cohort", "--detections", "found", "-q", "-o"]
        let plain = try CLI.run(evaluate + ["plain"], cwd: t), swept = try CLI.run(evaluate + ["swept", "--sweep"], cwd: t)
        try #require(plain.status == 0 && swept.status == 0, "\(plain.stderr)\(swept.stderr)")

        let disk = try Self.mount(t, "disk", kilobytes: 1024)
        let first = try CLI.run(evaluate + ["disk/eval"], cwd: t)
        try #require(first.status == 0, "\(first.stderr)")
        try Self.fill(disk, leave: 4096)
        let full = try CLI.run(evaluate + ["disk/eval", "--sweep"], cwd: t)
        #expect(full.status != 0)
        #expect(full.stderr.contains("cannot write disk/eval/") && full.stderr.contains("the disk is full"), "\(full.stderr)")
        #expect(full.stderr.contains("re-run the same command"), "\(full.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: disk + "/eval")
        #expect(!kept.contains { $0.contains(".partial") }, "a partial file was left: \(kept)")
        for f in kept {
            let have = FileManager.default.contents(atPath: disk + "/eval/" + f)
            let whole = [t + "/plain/" + f, t + "/swept/" + f].contains { FileManager.default.contents(atPath: $0) == have }
            #expect(whole, "\(f) under its final name is neither run's complete file")
        }

        try FileManager.default.removeItem(atPath: disk + "/filler")
        let resumed = try CLI.run(evaluate + ["disk/eval", "--sweep"], cwd: t)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for f in try FileManager.default.contentsOfDirectory(atPath: t + "/swept") {
            #expect(FileManager.default.contents(atPath: disk + "/eval/" + f) == FileManager.default.contents(atPath: t + "/swept/" + f), "\(f)")
        }
    }

    /// An output folder on a read-only disk, new or holding a finished run: every command says once, at the
    /// start, that it cannot write there and why, exits non-zero, and leaves the finished outputs as they were.
    @Test func outputFolderThatCannotBeWrittenIsOneClearErrorAtTheStart() throws {
        let t = try Self.workFolder("fault-readonly")
        defer { Self.unmountAll(t, ["ro", "done"]) }
        let ro = try Self.mount(t, "ro", kilobytes: 1024, readOnly: true)
        try Self.detections(t)
        let commands: [(String, [String])] = [
            ("probmap", Self.probmap + ["ro/maps"]),
            ("apply", ["apply", "--model", "author", "two", "--pixel-size", "0.2273", "-q", "-o", "ro/applied"]),
            ("run", ["run", "cohort", "ro/out", "--folds", "2", "--iterations", "2", "--no-refine", "-q"]),
            ("evaluate", ["evaluate", "--truth", "cohort", "--detections", "found", "-q", "-o", "ro/eval"]),
        ]
        for (name, args) in commands {
            let r = try CLI.run(args, cwd: t)
            #expect(r.status != 0, "\(name) succeeded on a read-only disk")
            let message = r.stdout + r.stderr
            #expect(message.contains("cannot write") && message.contains(ro + "/") || message.contains("cannot write ro/"), "\(name): \(message)")
            #expect(message.contains("Read-only file system"), "\(name): the system's reason is not given: \(message)")
            #expect(message.components(separatedBy: "Read-only file system").count == 2, "\(name): said more than once: \(message)")
        }

        // A finished probmap folder, made read-only: a forced re-run refuses and the maps stay as they were.
        let done = try Self.mount(t, "done", kilobytes: 8 * 1024)
        let made = try CLI.run(Self.probmap + ["done/maps"], cwd: t)
        try #require(made.status == 0, "\(made.stderr)")
        let before = try FileManager.default.contentsOfDirectory(atPath: done + "/maps").sorted().map { FileManager.default.contents(atPath: done + "/maps/" + $0) }
        try #require(try system("/bin/mount", ["-o", "remount,ro", done]) == 0, "remount failed")
        let forced = try CLI.run(Self.probmap + ["done/maps", "--force"], cwd: t)
        #expect(forced.status != 0)
        #expect(forced.stderr.contains("cannot create files in the folder: Read-only file system") && forced.stderr.contains(done + "/maps"), "\(forced.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: done + "/maps").sorted().map { FileManager.default.contents(atPath: done + "/maps/" + $0) }
        #expect(after == before, "the finished maps changed")
    }

    /// A centre CSV with a centre off its image (here a row added at x 300 of a 128 px wide image): `run`
    /// and `patches` refuse before any work, naming the CSV, its line, the centre and the image size.
    @Test func centreOffItsImageIsNamedWithFileAndLineBeforeAnyWork() throws {
        let t = try KillAnywhereCLITests.workFolder("fault-centre")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let csv = t + "/cohort/02_01.csv"  // named relative (as given) by `patches`, absolute by `run`
        var text = try String(contentsOfFile: csv, encoding: .utf8)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).count  // the added row's, 1-based
        try (text + "300,40\n").write(toFile: csv, atomically: true, encoding: .utf8)
        for args in [["run", "cohort", "out", "--folds", "2", "--iterations", "2", "--no-refine", "-q"], ["patches", "cohort", "out", "-q"]] {
            let r = try CLI.run(args, cwd: t)
            #expect(r.status != 0, "\(args[0]) accepted a centre off its image")
            #expect(r.stderr.contains("cohort/02_01.csv:\(line): centre (x 300.0, y 40.0) lies outside the 128x128 image"), "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("--csv-order"), "\(args[0]): no hint: \(r.stderr)")
            let made = (try? FileManager.default.contentsOfDirectory(atPath: t + "/out")) ?? []
            #expect(!made.contains { $0.hasSuffix(".patches") || $0 == "round1" }, "\(args[0]) started work: \(made)")
        }
    }

    /// A helper mask of another size than its image (a 64 px `_pc.png` beside a 128 px image): that image
    /// fails, naming the mask and both sizes; the other image's patches are cut and kept; non-zero exit.
    @Test func maskOfAnotherSizeFailsItsImageAndKeepsTheOthers() throws {
        let t = try KillAnywhereCLITests.workFolder("fault-mask")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let small = try CLI.run(["synth", "small", "--patients", "1", "--images-per-patient", "1", "--size", "64", "--seed", "3", "-q"], cwd: t)
        try #require(small.status == 0, "\(small.stderr)")
        try FileManager.default.removeItem(atPath: t + "/cohort/02_01_pc.png")
        try FileManager.default.copyItem(atPath: t + "/small/01_01_pc.png", toPath: t + "/cohort/02_01_pc.png")
        let r = try CLI.run(["patches", "cohort", "out", "-q"], cwd: t)
        #expect(r.status != 0)
        #expect(r.stderr.contains("cohort/02_01_pc.png: is 64x64 but its image is 128x128"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: t + "/out/01_01.patches"), "the other image's patches were not kept")
        #expect(!FileManager.default.fileExists(atPath: t + "/out/02_01.patches"))
    }

    /// Weights that do not fit their net: a deploy prototxt with conv1 narrowed to 16 outputs, and one whose
    /// conv3 is renamed. `probmap` and `apply` say which weights file, which net and which layer, once,
    /// and write no map.
    @Test func weightsThatDoNotFitTheNetNameTheFilesAndTheLayer() throws {
        let t = try Self.workFolder("fault-weights")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let net = try String(contentsOfFile: t + "/author/deploy_train32.prototxt", encoding: .utf8)
        let narrow = net.replacingOccurrences(of: "num_output: 32", with: "num_output: 16", options: [], range: net.range(of: "num_output: 32"))
        try narrow.write(toFile: t + "/narrow.prototxt", atomically: true, encoding: .utf8)
        try net.replacingOccurrences(of: "name: \"conv3\"", with: "name: \"conv3b\"").write(toFile: t + "/renamed.prototxt", atomically: true, encoding: .utf8)
        let weights = t + "/author/1_caffenet_train_w32_2nd_iter_600000.caffemodel"
        for (file, expected) in [("narrow.prototxt", "layer 'conv1': expected shape [16, 3, 5, 5], got [32, 3, 5, 5]"),
                                 ("renamed.prototxt", "unknown name 'conv3'")] {
            var args = Self.probmap + ["maps"]
            args[2] = file
            let r = try CLI.run(args, cwd: t)
            #expect(r.status != 0)
            #expect(r.stderr.contains("\(weights): does not fit the net \(t)/\(file): \(expected)"), "\(r.stderr)")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: t + "/maps")) ?? []).allSatisfy { !$0.hasSuffix(".png") })
        }

        // A bundle whose net was swapped after it was made: one error for the batch, not one per image.
        try FileManager.default.copyItem(atPath: t + "/author", toPath: t + "/swapped")
        try narrow.write(toFile: t + "/swapped/deploy_train32.prototxt", atomically: true, encoding: .utf8)
        let applied = try CLI.run(["apply", "--model", "swapped", "two", "--pixel-size", "0.2273", "-q", "-o", "applied"], cwd: t)
        #expect(applied.status != 0)
        #expect(applied.stderr.contains("\(t)/swapped/1_caffenet_train_w32_2nd_iter_600000.caffemodel: does not fit the net \(t)/swapped/deploy_train32.prototxt"), "\(applied.stderr)")
        #expect(applied.stderr.components(separatedBy: "does not fit").count == 2, "said more than once: \(applied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t + "/applied/maps/H03_00Aa_prob.png"))
    }
}
