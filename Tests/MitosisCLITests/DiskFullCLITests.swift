import Foundation
import Testing

/// `mitosis run` on a disk too small for it: a clear refusal before the step that would not fit (not a
/// damaged-database hint after 72 GB), nothing finished lost, and the same command continues once there is
/// space.
@Suite(.serialized, .enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
struct DiskFullCLITests {
    @Test func runRefusesStepThreeOnASmallDiskAndResumesOnceSpaceIsFreed() throws {
        let t = try CLI.temporaryFolder("diskfull")
        let disk = t + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(try system("/bin/mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", disk]) == 0, "mount failed")
        defer {
            _ = try? system("/bin/umount", [disk])
            try? FileManager.default.removeItem(atPath: t)
        }
        let synth = try CLI.run(["synth", "cohort", "--patients", "4", "--images-per-patient", "1", "--size", "288", "--seed", "4", "-q"], cwd: t)
        try #require(synth.status == 0, "\(synth.stderr)")
        // Step 1 writes ~36 MB of patches; step 3's databases need ~100 MB more.
        let args = ["run", "../cohort", "out", "--folds", "2", "--iterations", "2", "--no-refine"]
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
        let before = try FileManager.default.attributesOfItem(atPath: archive)[.modificationDate] as? Date
        let resumed = try CLI.run(args, cwd: disk)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("Round 1"), "\(resumed.stdout)")
        let after = try FileManager.default.attributesOfItem(atPath: archive)[.modificationDate] as? Date
        #expect(before == after, "step 1 was redone")
        #expect(FileManager.default.fileExists(atPath: disk + "/out/report.html"))
    }
}
