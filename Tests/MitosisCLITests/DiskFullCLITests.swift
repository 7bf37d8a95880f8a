import Foundation
import MitosisSupport
import Testing

/// `mitosis run` on a disk too small for it: a clear refusal before the step that would not fit (not a
/// damaged-database hint after 72 GB), nothing finished lost, and the same command continues once there is
/// space.
@Suite(.serialized, .enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
struct DiskFullCLITests {
    /// A temporary folder holding the test cohort (4 patients of one 288x288 image) and `disk`, a tmpfs of
    /// `megabytes` mounted inside it.
    static func smallDisk(_ name: String, megabytes: Int) throws -> (folder: String, disk: String) {
        let t = try CLI.temporaryFolder(name)
        let disk = t + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(try system("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", disk]) == 0, "mount failed")
        let synth = try CLI.run(["synth", "cohort", "--patients", "4", "--images-per-patient", "1", "--size", "288", "--seed", "4", "-q"], cwd: t)
        if synth.status != 0 { remove(t, disk) }
        try #require(synth.status == 0, "\(synth.stderr)")
        return (t, disk)
    }

    /// Modification dates of `files`, to tell whether a resumed run rewrote them.
    static func dates(_ files: [String]) throws -> [Date?] {
        try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
    }

    static func remove(_ folder: String, _ disk: String) {
        _ = try? system("/bin/umount", [disk])
        try? FileManager.default.removeItem(atPath: folder)
    }

    @Test func runRefusesStepThreeOnASmallDiskAndResumesOnceSpaceIsFreed() throws {
        let (t, disk) = try Self.smallDisk("diskfull", megabytes: 40)
        defer { Self.remove(t, disk) }
        // Step 1 writes ~36 MB of patches; step 3's databases (with --databases) need ~100 MB more.
        let args = ["run", "../cohort", "out", "--folds", "2", "--iterations", "2", "--no-refine", "--databases"]
        let full = try CLI.run(args, cwd: disk)
        #expect(full.status != 0)
        let message = full.stdout + full.stderr
        #expect(message.contains("not enough disk space for step 3") && message.contains(disk + "/out/round1/db"), "\(message)")
        #expect(message.contains("free space") && message.contains("re-run"), "\(message)")
        let files = try FileManager.default.contentsOfDirectory(atPath: disk + "/out/round1/patches")
        #expect(files.contains("index.json") && files.contains("01_01.patches"), "step 1's finished work is kept: \(files)")

        // More space: the same command finishes, without redoing step 1.
        try #require(try system("/bin/mount", ["-o", "remount,size=400m", disk]) == 0, "remount failed")
        let archive = disk + "/out/round1/patches/01_01.patches"
        let before = try Self.dates([archive])
        let resumed = try CLI.run(args, cwd: disk)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("Round 1"), "\(resumed.stdout)")
        #expect(try Self.dates([archive]) == before, "step 1 was redone")
        #expect(FileManager.default.fileExists(atPath: disk + "/out/report.html"))
    }

    /// Nothing is estimated ahead for step 1 (an image's patches are known once cut), so the disk fills while
    /// archives are written (with --databases they hold pixels: ~36 MB here): each failed image says the disk
    /// is full and which file, the finished archives stay, and the same command continues from them once
    /// there is space.
    @Test func runFillingTheDiskInStepOneSaysSoAndResumes() throws {
        let (t, disk) = try Self.smallDisk("diskfull1", megabytes: 20)
        defer { Self.remove(t, disk) }
        let args = ["run", "../cohort", "out", "--folds", "2", "--iterations", "2", "--no-refine", "--databases"]
        let full = try CLI.run(args, cwd: disk)
        #expect(full.status != 0)
        let message = full.stdout + full.stderr
        #expect(message.contains("the disk is full") && message.contains(disk + "/out/round1/patches/"), "\(message)")
        #expect(message.contains("re-run the same command"), "\(message)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: disk + "/out/round1/patches").filter { $0.hasSuffix(".patches") }
            .map { disk + "/out/round1/patches/" + $0 }
        #expect(!kept.isEmpty && kept.count < 4, "some archives finished, not all: \(kept)")
        let dates = try Self.dates(kept)

        try #require(try system("/bin/mount", ["-o", "remount,size=200m", disk]) == 0, "remount failed")
        let resumed = try CLI.run(args, cwd: disk)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("Round 1"), "\(resumed.stdout)")
        #expect(try Self.dates(kept) == dates, "finished archives were cut again")
        #expect(FileManager.default.fileExists(atPath: disk + "/out/report.html"))
    }

    /// The default run (no databases; archives without pixels) on a disk with a few megabytes left: whatever
    /// write meets the full disk first (a snapshot, or the maps, which are refused ahead), the message says
    /// so and names the file or folder, and the same command finishes once there is space, from the
    /// finished step 1.
    @Test func theDefaultRunOnAFullDiskSaysSoAndResumes() throws {
        let (t, disk) = try Self.smallDisk("diskfull2", megabytes: 32)
        defer { Self.remove(t, disk) }
        // Leave ~3 MB: step 1's sample-only archives fit (~1 KB an image), the trainings and maps do not. The
        // disk holds the whole run once the ballast is gone, the model bundle (OUT/model) included.
        let free = try #require(DiskSpace.available(at: disk))
        try Data(count: Int(free) - 3 << 20).write(to: URL(fileURLWithPath: disk + "/ballast"))
        let args = ["run", "../cohort", "out", "--folds", "2", "--iterations", "2", "--no-refine"]
        let full = try CLI.run(args, cwd: disk)
        #expect(full.status != 0)
        let message = full.stdout + full.stderr
        #expect(message.contains("the disk is full") || message.contains("not enough disk space"), "\(message)")
        #expect(message.contains(disk + "/out/"), "\(message)")
        let patches = disk + "/out/round1/patches"
        let archives = try FileManager.default.contentsOfDirectory(atPath: patches).filter { $0.hasSuffix(".patches") }.sorted()
            .map { patches + "/" + $0 }
        #expect(archives.count == 4, "step 1 finished: \(archives)")
        for a in archives {
            let size = try FileManager.default.attributesOfItem(atPath: a)[.size] as! Int
            #expect(size < 100_000, "\(a): \(size) bytes, sample-only archives hold no pixels")
        }
        let dates = try Self.dates(archives)

        try FileManager.default.removeItem(atPath: disk + "/ballast")
        let resumed = try CLI.run(args, cwd: disk)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("Round 1"), "\(resumed.stdout)")
        #expect(try Self.dates(archives) == dates, "step 1 was redone")
        #expect(FileManager.default.fileExists(atPath: disk + "/out/report.html"))
        #expect(!FileManager.default.fileExists(atPath: disk + "/out/round1/db/DB_train_1"), "no database without --databases")
    }
}
