import ArgumentParser
import MitosisSupport

/// `mitosis`: find mitotic figures in H&E breast-cancer histology (Janowczyk & Madabhushi 2016, use case 5).
@main
struct Mitosis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mitosis",
        abstract: "Mitotic-figure detection in H&E histology, after Janowczyk & Madabhushi's tutorial (use case 5).",
        version: MitosisVersion.string,
        subcommands: [
            SynthCommand.self, DatasetCommand.self, ClassifyCommand.self, ProbmapCommand.self, BenchCommand.self, MaskCommand.self, PatchesCommand.self, FoldsCommand.self, DatabaseCommand.self,
            TrainCommand.self, RefineCommand.self, RunCommand.self, DetectCommand.self, EvaluateCommand.self, GradeCommand.self, DemoCommand.self, ApplyCommand.self, ModelCommand.self, SlideCommand.self, MakeSlideCommand.self, StatusCommand.self,
        ])

    static func main() {
        OpenMPSetup.ensurePassiveWait()
        MemorySetup.keepFreedMemory()
        main(nil)
    }
}
