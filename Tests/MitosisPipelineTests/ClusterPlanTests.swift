import Foundation
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// The pieces of the Slurm executor that need no cluster: array specs, squeue's pending-array lines, the
/// scripts' directives, the task markers.
struct ClusterPlanTests {
    @Test func arraySpecsCollapseRuns() {
        #expect(SlurmScript.arraySpec([0, 1, 2, 3]) == "0-3")
        #expect(SlurmScript.arraySpec([7, 0, 1, 9, 10, 3]) == "0-1,3,7,9-10")
        #expect(SlurmScript.arraySpec([4]) == "4")
    }

    @Test func pendingArrayLinesCoverTheirIndices() {
        #expect(ClusterStatus.arrayLine("12_[0-3,7%2]", contains: 2))
        #expect(ClusterStatus.arrayLine("12_[0-3,7%2]", contains: 7))
        #expect(!ClusterStatus.arrayLine("12_[0-3,7%2]", contains: 5))
        #expect(!ClusterStatus.arrayLine("12_4", contains: 4))
    }

    @Test func scriptsCarryTheResourcesAndTheCommand() {
        var r = SlurmResources()
        r.partition = "cpu"; r.time = "1:00:00"; r.memory = "4G"; r.account = "lab"; r.extra = ["--qos=low"]
        let stage = ClusterPlan.Stage(name: "folds", script: "/o/slurm/folds.sbatch", tasks: [1, 2, 3], labels: ["1", "2", "3"])
        let text = SlurmScript.render(stage: stage, output: "/o", resources: r, cpus: 3, folder: "/work dir",
                                      setup: ["threads=(0 1 1 2)"], command: ["/bin/mitosis", "run", "'my data'", "\"$SLURM_ARRAY_TASK_ID\""])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        for d in ["--partition=cpu", "--time=1:00:00", "--mem=4G", "--account=lab", "--qos=low", "--cpus-per-task=3", "--array=1-3",
                  "--output=\"/o/slurm/logs/folds-%A_%a.log\"", "--job-name=mitosis-folds"] {
            #expect(lines.contains("#SBATCH \(d)"), "\(d) missing in\n\(text)")
        }
        #expect(lines.contains("cd '/work dir'"))
        #expect(lines.last == "exec /bin/mitosis run 'my data' \"$SLURM_ARRAY_TASK_ID\"")
        // The user's --cpus-per-task wins over the stage's own default.
        r.cpusPerTask = 8
        #expect(SlurmScript.render(stage: stage, output: "/o", resources: r, cpus: 3, folder: "/", command: ["x"]).contains("#SBATCH --cpus-per-task=8\n"))
    }

    @Test func markersSayDoneUntilCleared() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(!ClusterPlan.isMarkedDone(out, stage: "slides", index: 2))
        try ClusterPlan.markDone(out, stage: "slides", index: 2)
        #expect(ClusterPlan.isMarkedDone(out, stage: "slides", index: 2))
        #expect(!ClusterPlan.isMarkedDone(out, stage: "slides", index: 1))
        ClusterPlan.clearDone(out, stage: "slides", index: 2)
        #expect(!ClusterPlan.isMarkedDone(out, stage: "slides", index: 2))
    }

    @Test func runStagesParse() throws {
        #expect(try RunPipeline.Stage(parsing: "prepare") == .prepare)
        #expect(try RunPipeline.Stage(parsing: "fold:3") == .fold(3))
        #expect(try RunPipeline.Stage(parsing: "report") == .report)
        #expect(throws: PipelineError.self) { try RunPipeline.Stage(parsing: "fold:0") }
        #expect(throws: PipelineError.self) { try RunPipeline.Stage(parsing: "train") }
    }

    @Test func taskIndicesSplitTheSlides() throws {
        #expect(try ClusterJobs.slideIndices(task: 0, perTask: 2, count: 5) == [0, 1])
        #expect(try ClusterJobs.slideIndices(task: 2, perTask: 2, count: 5) == [4])
        #expect(throws: PipelineError.self) { try ClusterJobs.slideIndices(task: 3, perTask: 2, count: 5) }
    }

    @Test func aTaskRefusesSlidesOtherThanThoseSubmitted() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try ClusterJobs.checkSlides(["/s/a.svs"], output: out)   // nothing submitted: nothing to check
        var plan = ClusterPlan(command: "slide", output: out, stages: [])
        plan.items = ["/s/a.svs", "/s/b.svs"]
        try FileManager.default.createDirectory(atPath: ClusterPlan.folder(out), withIntermediateDirectories: true)
        try AnalysisFiles.writeJSON(plan, to: ClusterPlan.file(out))
        try ClusterJobs.checkSlides(["/s/a.svs", "/s/b.svs"], output: out)
        #expect(throws: PipelineError.self) { try ClusterJobs.checkSlides(["/s/a.svs", "/s/0.svs", "/s/b.svs"], output: out) }
        #expect(throws: PipelineError.self) { try ClusterJobs.checkSlides(["/s/b.svs", "/s/a.svs"], output: out) }
    }
}
