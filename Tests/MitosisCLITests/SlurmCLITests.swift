import Foundation
import MitosisSupport
import Testing

/// A one-node Slurm cluster (slurmctld, slurmd, munged) on localhost for one test, configured and started in
/// a temporary folder by `scripts/slurm-local.sh` (Debian's slurm-wlm and munge, which bootstrap.sh installs).
final class LocalSlurm {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let dir: String
    var environment: [String: String] { ["SLURM_CONF": dir + "/slurm.conf"] }

    init() throws {
        dir = try CLI.temporaryFolder("slurm")
        let r = try Self.shell(["bash", Self.root + "/scripts/slurm-local.sh", "start", dir])
        guard r.status == 0 else { throw CLIError("the test cluster did not start: \(r.stderr)") }
    }

    func stop() {
        _ = try? Self.shell(["bash", Self.root + "/scripts/slurm-local.sh", "stop", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func shell(_ words: [String], environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.execute(URL(fileURLWithPath: "/usr/bin/env"), words, environment: environment)
    }

    /// `mitosis args` in `folder` against this cluster, expected to succeed.
    func mitosis(_ args: [String], in folder: String) throws -> CLI.Result {
        let r = try CLI.run(args, cwd: folder, environment: environment)
        #expect(r.status == 0, "mitosis \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
        return r
    }

    /// squeue's lines for `jobs` (one per task once running: `12_1 RUNNING`).
    func queue(_ jobs: [String]) throws -> [String] {
        try Self.shell(["squeue", "-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%i %T"], environment: environment)
            .stdout.split(separator: "\n").map(String.init)
    }

    /// Waits until none of `jobs` is queued or running.
    func wait(for jobs: [String], minutes: Double = 15) throws {
        let end = Date().addingTimeInterval(minutes * 60)
        while Date() < end {
            if try queue(jobs).isEmpty { return }
            Thread.sleep(forTimeInterval: 1)
        }
        throw CLIError("jobs \(jobs) still queued after \(minutes) min: \(try queue(jobs))")
    }

    /// The job ids a submission printed (`slides: job 12 (array 0-2)`).
    static func jobs(in stdout: String) -> [String] {
        stdout.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: ": job ") else { return nil }
            return String(line[r.upperBound...].prefix { $0.isNumber })
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Replaces every occurrence of `pattern` in `bytes` by `replacement` of the same length.
func replaceAll(_ bytes: inout [UInt8], _ pattern: [UInt8], with replacement: [UInt8]) {
    precondition(pattern.count == replacement.count && !pattern.isEmpty)
    var i = 0
    while i + pattern.count <= bytes.count {
        if bytes[i] == pattern[0], bytes[i..<i + pattern.count].elementsEqual(pattern) {
            bytes.replaceSubrange(i..<i + pattern.count, with: replacement)
            i += pattern.count
        } else {
            i += 1
        }
    }
}

/// ISO 8601 timestamps (`2026-12-02T01:05:54Z`) replaced by a fixed text of the same length.
func blankTimestamps(_ bytes: inout [UInt8]) {
    let digit = { (b: UInt8) in b >= 48 && b <= 57 }
    let shape = Array("dddd-dd-ddTdd:dd:ddZ".utf8)
    var i = 0
    while i + shape.count <= bytes.count {
        var match = true
        for (k, c) in shape.enumerated() where !(c == UInt8(ascii: "d") ? digit(bytes[i + k]) : bytes[i + k] == c) { match = false; break }
        if match {
            bytes.replaceSubrange(i..<i + shape.count, with: Array("YYYY-MM-DDTHH:MM:SSZ".utf8))
            i += shape.count
        } else {
            i += 1
        }
    }
}

/// Every file under `folder` (relative path -> bytes), leaving out the folders named.
func tree(_ folder: String, excluding: Set<String> = []) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let fm = FileManager.default
    guard let walker = fm.enumerator(atPath: folder) else { return files }
    while let rel = walker.nextObject() as? String {
        if excluding.contains(where: { rel == $0 || rel.hasPrefix($0 + "/") }) { continue }
        // The local executor's claim on its output folder (pid and start time); Slurm tasks share theirs and take none.
        if rel == OutputFolderLock.fileName { continue }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
            files[rel] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + rel))
        }
    }
    return files
}

/// `mitosis slide` and `mitosis run` with `--executor slurm` against a real Slurm: the outputs equal the local
/// executor's, a killed array task is completed by submitting the same command again, and `mitosis status`
/// says what happened.
@Suite(.serialized) struct SlurmCLITests {
    /// JSON with the named keys removed (timings), for comparing what must be equal.
    static func withoutKeys(_ data: Data, _ keys: Set<String>) throws -> NSDictionary {
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return object.filter { !keys.contains($0.key) } as NSDictionary
    }

    /// No cluster needed: what the scripts say, the options refused without --executor slurm, and a clear
    /// error where sbatch is missing.
    @Test func dryRunScriptsPassSlurmOptionsThroughAndRunTheUsersCommand() throws {
        let t = try CLI.temporaryFolder("slurm-dry")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let synth = try CLI.run(["synth", "my cohort", "--patients", "4", "--images-per-patient", "1", "--size", "128", "--seed", "3", "-q"], cwd: t)
        try #require(synth.status == 0, "\(synth.stderr)")
        let r = try CLI.run(["run", "my cohort", "out", "--folds", "2", "--jobs", "2", "--iterations", "5", "--executor", "slurm", "--partition", "cpu",
                             "--time=2:00:00", "--mem", "6G", "--account", "lab", "--sbatch-arg=--qos=low", "--dry-run", "-q"], cwd: t)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("folds: would submit \(t)/out/slurm/folds.sbatch --array=1-2 after prepare"), "\(r.stdout)")
        let folds = try String(contentsOfFile: t + "/out/slurm/folds.sbatch", encoding: .utf8)
        let share = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)   // two folds side by side, as a local run
        for line in ["#SBATCH --partition=cpu", "#SBATCH --time=2:00:00", "#SBATCH --mem=6G", "#SBATCH --account=lab", "#SBATCH --qos=low",
                     "#SBATCH --array=1-2", "#SBATCH --cpus-per-task=\(share)", "threads=(0 \(share) \(share))", "cd \(t)"] {
            #expect(folds.contains(line + "\n"), "\(line) missing:\n\(folds)")
        }
        let exec = try #require(folds.split(separator: "\n").last.map(String.init))
        #expect(exec.hasSuffix(" run 'my cohort' out --folds 2 --jobs 2 --iterations 5 -q --task \"fold:$SLURM_ARRAY_TASK_ID\" --task-threads \"${threads[$SLURM_ARRAY_TASK_ID]}\""), "\(exec)")
        for gone in ["--executor", "--partition", "--dry-run", "--sbatch-arg", "--mem"] { #expect(!exec.contains(gone), "\(exec)") }
        // Every task of a dry run is listed as not submitted.
        let status = try CLI.run(["status", "out"], cwd: t)
        #expect(status.status == 1 && status.stdout.contains("fold 2: not submitted"), "\(status.stdout)")

        let local = try CLI.run(["run", "my cohort", "out2", "--partition", "cpu"], cwd: t)
        #expect(local.status != 0 && local.stderr.contains("need --executor slurm"), "\(local.stderr)")
        let noSbatch = try CLI.run(["run", "my cohort", "out3", "--executor", "slurm"], cwd: t, environment: ["PATH": "/nonexistent"])
        #expect(noSbatch.status != 0 && noSbatch.stderr.contains("sbatch is not on the PATH"), "\(noSbatch.stderr)")
        #expect(!CLI.exists(t + "/out3/round1"))
    }

    @Test(.enabled(if: ModelBundleCLITests.available, "needs ../shared/reference"))
    func aSlideBatchOnSlurmEqualsTheLocalRunAndAKilledTaskIsResubmitted() throws {
        let t = try CLI.temporaryFolder("slurm-slides")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let cluster = try LocalSlurm()
        defer { cluster.stop() }
        let mitosis = { (args: [String]) in try cluster.mitosis(args, in: t) }
        try FileManager.default.createSymbolicLink(atPath: t + "/ref", withDestinationPath: ModelBundleCLITests.author)
        _ = try mitosis(ModelBundleCLITests().importArguments([1], into: "author"))
        // Three small slides, one synthetic frame each (0.25 um/px: 4 x 4 tiles of 48 working pixels; smaller synthetic frames can hold too little tissue to map).
        _ = try mitosis(["synth", "frames", "--patients", "3", "--images-per-patient", "1", "--size", "384", "--seed", "9", "-q"])
        let frames = try FileManager.default.contentsOfDirectory(atPath: t + "/frames").filter { $0.hasSuffix(".tif") }.sorted()
        try #require(frames.count == 3, "\(frames)")
        for (k, f) in frames.enumerated() {
            let one = "\(t)/one\(k)"
            try FileManager.default.createDirectory(atPath: one, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: one + "/" + f, withDestinationPath: t + "/frames/" + f)
            _ = try mitosis(["make-slide", "one\(k)", "-o", "slides/s\(k).tif", "--pixel-size", "0.25", "-q"])
        }
        let common = ["slide", "--model", "author", "slides", "--tile", "48", "--threshold", "0", "-q"]
        _ = try mitosis(common + ["-o", "local"])

        // Submitted as an array of three tasks and a collect job; task 1 is cancelled once it has mapped a tile.
        let submitted = try mitosis(common + ["-o", "cluster", "--executor", "slurm", "--cpus-per-task", "2"])
        let jobs = LocalSlurm.jobs(in: submitted.stdout)
        try #require(jobs.count == 2, "\(submitted.stdout)")
        #expect(FileManager.default.fileExists(atPath: t + "/cluster/slurm/slides.sbatch"))
        let end = Date().addingTimeInterval(600)
        while Date() < end, ((try? FileManager.default.contentsOfDirectory(atPath: t + "/cluster/s1/tiles")) ?? []).isEmpty {
            Thread.sleep(forTimeInterval: 0.2)
        }
        try #require(!((try? FileManager.default.contentsOfDirectory(atPath: t + "/cluster/s1/tiles")) ?? []).isEmpty, "slide s1 mapped no tile")
        _ = try LocalSlurm.shell(["scancel", "\(jobs[0])_1"], environment: cluster.environment)
        try cluster.wait(for: jobs)
        let broken = try CLI.run(["status", "cluster"], cwd: t, environment: cluster.environment)
        #expect(broken.status == 1, "\(broken.stdout)")
        #expect(broken.stdout.contains("s1: not running") || broken.stdout.contains("s1: cancelled"), "\(broken.stdout)")
        #expect(broken.stdout.contains("sbatch --array=1 "), "\(broken.stdout)")
        #expect(!FileManager.default.fileExists(atPath: t + "/cluster/s1/summary.json"))

        // The same command again submits only the unfinished slide (and the collect job).
        let again = try mitosis(common + ["-o", "cluster", "--executor", "slurm", "--cpus-per-task", "2"])
        #expect(again.stdout.contains("(array 1)"), "\(again.stdout)")
        try cluster.wait(for: LocalSlurm.jobs(in: again.stdout))
        let status = try CLI.run(["status", "cluster"], cwd: t, environment: cluster.environment)
        #expect(status.status == 0 && status.stdout.contains("all 4 tasks done"), "\(status.stdout)\n\(status.stderr)")

        // Byte for byte as the local run, but for the timings: in summary.json and the tiles' JSON, slides.csv's
        // last column and slides.html's time cell.
        let local = try tree(t + "/local"), remote = try tree(t + "/cluster", excluding: ["slurm"])
        #expect(Set(local.keys) == Set(remote.keys), "\(Set(local.keys).symmetricDifference(remote.keys))")
        let timings: Set<String> = ["seconds", "prepareSeconds", "readSeconds", "resizeSeconds", "maskSeconds", "normalizeSeconds",
                                     "mapSeconds", "resumedTiles"]
        for (name, bytes) in local {
            if name.hasSuffix(".json") {
                #expect(try Self.withoutKeys(bytes, timings) == Self.withoutKeys(remote[name] ?? Data(), timings), "\(name)")
            } else if name == "slides.csv" {
                let strip = { (d: Data) in String(decoding: d, as: UTF8.self).split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") } }
                #expect(strip(bytes) == strip(remote[name] ?? Data()))
            } else if name != "slides.html" {
                let same = bytes == remote[name]
                #expect(same, "\(name) differs from the local run's")
            }
        }
        // The cancelled slide resumed from its finished tiles.
        let resumed = try JSONSerialization.jsonObject(with: remote["s1/summary.json"] ?? Data()) as? [String: Any]
        #expect((resumed?["resumedTiles"] as? Int ?? 0) > 0, "\(String(describing: resumed))")
    }

    @Test func aTwoFoldRunOnSlurmEqualsTheLocalRun() throws {
        let t = try CLI.temporaryFolder("slurm-run")
        defer { try? FileManager.default.removeItem(atPath: t) }
        let cluster = try LocalSlurm()
        defer { cluster.stop() }
        let mitosis = { (args: [String]) in try cluster.mitosis(args, in: t) }
        _ = try mitosis(["synth", "cohort", "--patients", "4", "--images-per-patient", "1", "--size", "256", "--seed", "3", "-q"])
        let common = ["run", "cohort", "--folds", "2", "--iterations", "3", "-q"]
        // Output names of one length with a space: the files that hold their own folder's path (the solver
        // states' learned_net, the report's command line) then compare byte for byte once it is swapped.
        let (here, there) = ("run local", "run slurm")
        // A dry run writes the three scripts and submits nothing.
        let dry = try mitosis(common + [there, "--executor", "slurm", "--dry-run"])
        #expect(dry.stdout.contains("prepare: would submit"), "\(dry.stdout)")
        for s in ["prepare", "folds", "report"] { #expect(FileManager.default.fileExists(atPath: "\(t)/\(there)/slurm/\(s).sbatch")) }
        #expect(!FileManager.default.fileExists(atPath: "\(t)/\(there)/round1"))

        let submitted = try mitosis(common + [there, "--executor", "slurm"])
        let jobs = LocalSlurm.jobs(in: submitted.stdout)
        try #require(jobs.count == 3, "\(submitted.stdout)")
        // Run locally while the cluster works.
        _ = try mitosis(common + [here])
        try cluster.wait(for: jobs)
        let status = try CLI.run(["status", there], cwd: t, environment: cluster.environment)
        #expect(status.status == 0 && status.stdout.contains("all 4 tasks done"), "\(status.stdout)")

        let local = try tree("\(t)/\(here)"), remote = try tree("\(t)/\(there)", excluding: ["slurm"])
        #expect(Set(local.keys) == Set(remote.keys), "\(Set(local.keys).symmetricDifference(remote.keys))")
        // Every file equal, once the output folder's path and the report's and bundle's dates are swapped.
        let dated: Set<String> = ["report.html", "report.json", "summary.txt", "model/manifest.json"]
        func normalized(_ d: Data, _ name: String, _ folder: String) -> [UInt8] {
            var bytes = [UInt8](d)
            // As written, and as JSONEncoder writes it (slashes escaped).
            for escape in [false, true] {
                let form = { (p: String) in [UInt8]((escape ? p.replacingOccurrences(of: "/", with: "\\/") : p).utf8) }
                replaceAll(&bytes, form("\(t)/\(folder)"), with: form("\(t)/\(there)"))
            }
            if dated.contains(name) { blankTimestamps(&bytes) }
            return bytes
        }
        var compared = 0
        for (name, bytes) in local {
            let same = normalized(bytes, name, here) == normalized(remote[name] ?? Data(), name, there)
            #expect(same, "\(name) differs from the local run's")
            compared += 1
        }
        #expect(local.keys.contains { $0.hasPrefix("round2/fold_2/") && $0.hasSuffix(".caffemodel") })
        #expect(compared > 20)
    }
}
