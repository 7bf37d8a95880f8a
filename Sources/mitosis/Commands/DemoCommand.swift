import ArgumentParser
import Foundation
import MitosisSynth

/// `mitosis demo`: the whole pipeline on a built-in synthetic cohort.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a synthetic H&E cohort and run the whole pipeline on it (the README's first command).",
        discussion: """
            Default: 12 patients x 2 images of 1000x1000, 5 folds, 600 iterations per fold and round (about 5 \
            minutes on 2 cores). --quick: 6 patients x 1 image of 768x768, 3 folds, 40 iterations, for checking \
            that everything works (about a minute; the F1 it prints means nothing). Options given explicitly \
            win over either set. Relative paths are taken from the working folder.
            """)

    @Option(help: "Output folder (the cohort goes to OUTPUT/cohort, the run to OUTPUT/run).")
    var output = "demo-out"

    @Flag(help: "A tiny cohort and a few iterations: checks the whole pipeline in about a minute.")
    var quick = false

    @Option(help: "Patients in the synthetic cohort (default 12; 6 with --quick).")
    var patients: Int?

    @Option(help: "Images per patient (default 2; 1 with --quick).")
    var imagesPerPatient: Int?

    @Option(help: "Image side in pixels at 40x (default 1000; 768 with --quick).")
    var size: Int?

    @OptionGroup var settings: RunArguments
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for (name, value) in [("--patients", patients), ("--images-per-patient", imagesPerPatient)] where (value ?? 1) < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if let size, size < 64 { throw ValidationError("--size must be at least 64, got \(size)") }
    }

    func run() throws {
        let patients = self.patients ?? (quick ? 6 : 12)
        let images = imagesPerPatient ?? (quick ? 1 : 2)
        let side = size ?? (quick ? 768 : 1000)
        let cohort = (output as NSString).appendingPathComponent("cohort")
        // A finished cohort of the same settings is reused (a --quick cohort is not the full demo's).
        try CohortConsole.write(CohortSpec(patients: patients, imagesPerPatient: images, width: side, height: side, seed: settings.seed),
                                to: cohort, cmask: true, reuse: true)
        try RunConsole.execute(dataset: cohort, output: (output as NSString).appendingPathComponent("run"),
                               options: settings.options(defaultIterations: quick ? 40 : 600, defaultFolds: quick ? 3 : 5),
                               global: global)
    }
}
