import Foundation
import MitosisSupport
import Testing

/// Two commands on one output folder: while a process holds the folder (here the test itself, through the
/// same `OutputFolderLock` the commands take), `apply`, `slide` and `run` refuse at once, name the holder,
/// and leave the folder's files alone; once the holder ends, the same command runs.
@Suite(.serialized) struct OutputLockCLITests {
    @Test(.enabled(if: ModelBundleCLITests.available, "needs ../shared/reference and ../shared/real"))
    func aSecondCommandOnAClaimedFolderRefusesAndTouchesNothing() throws {
        let t = try CLI.temporaryFolder("output-lock")
        defer { try? FileManager.default.removeItem(atPath: t) }
        try FileManager.default.createSymbolicLink(atPath: t + "/ref", withDestinationPath: ModelBundleCLITests.author)
        try FileManager.default.createSymbolicLink(atPath: t + "/frames", withDestinationPath: ModelBundleCLITests.frames)
        let made = try CLI.run(["model", "import-caffe", "--net", "ref/deploy_train32.prototxt", "-o", "m", "-q",
                                "--weights", "ref/1_caffenet_train_w32_2nd_iter_600000.caffemodel", "--mean", "ref/DB_train_w32_1_2nd.binaryproto"], cwd: t)
        try #require(made.status == 0, "\(made.stderr)")
        let synth = try CLI.run(["synth", "cohort", "--patients", "2", "--images-per-patient", "1", "--size", "128", "--seed", "2", "-q"], cwd: t)
        try #require(synth.status == 0, "\(synth.stderr)")

        var claim: OutputFolderLock? = try OutputFolderLock(folder: t + "/out", purpose: "the test's claim")
        let finished = Data("x,y,logodds\n10,12,3.5\n".utf8)
        try finished.write(to: URL(fileURLWithPath: t + "/out/H05_01.csv"))
        let commands = [
            ["apply", "--model", "m", "frames/H03_00Aa.jpg", "-o", "out", "--pixel-size", "0.2273"],
            ["slide", "--model", "m", "frames/H03_00Aa.jpg", "-o", "out", "--pixel-size", "0.2273"],
            ["run", "cohort", "out", "--folds", "2", "--iterations", "2"],
        ]
        for args in commands {
            let r = try CLI.run(args, cwd: t)
            #expect(r.status != 0, "\(args[0]) ran on a claimed folder")
            #expect(r.stderr.contains("out: in use by another mitosis process (pid \(getpid()): the test's claim"), "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("HINT"), "\(r.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: t + "/out").sorted()
            #expect(names == [OutputFolderLock.fileName, "H05_01.csv"], "\(args[0]) wrote into the claimed folder: \(names)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: t + "/out/H05_01.csv")) == finished)

        claim = nil
        _ = claim
        let apply = try CLI.run(commands[0], cwd: t)
        try #require(apply.status == 0, "\(apply.stderr)")
        #expect(CLI.exists(t + "/out/H03_00Aa.csv"))
        let holder = try String(contentsOfFile: t + "/out/" + OutputFolderLock.fileName, encoding: .utf8)
        #expect(holder.contains(": mitosis apply, since "), "\(holder)")
        // A claim taken by a process that is then killed ends with it: the same command is not refused.
        let victim = Process()
        victim.executableURL = CLI.binary
        victim.arguments = ["apply", "--model", "m", "frames/H03_00Aa.jpg", "frames/H10_00Ac.jpg", "-o", "out2", "--pixel-size", "0.2273", "-q"]
        victim.currentDirectoryURL = URL(fileURLWithPath: t)
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !CLI.exists(t + "/out2/" + OutputFolderLock.fileName) { usleep(20_000) }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal, "the first apply finished before it could be killed")
        let again = try CLI.run(Array(victim.arguments!), cwd: t)
        #expect(again.status == 0 && CLI.exists(t + "/out2/H10_00Ac.csv"), "\(again.stderr)")
    }
}
