import ArgumentParser
import Foundation
import MitosisSynth

/// `mitosis demo`: the whole pipeline on a built-in synthetic cohort.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a synthetic H&E cohort and run the whole pipeline on it (the README's first command).")

    @Option(help: "Output folder.")
    var output = "demo-out"

    @Option(help: "Patients in the synthetic cohort.")
    var patients = 12

    @Option(help: "Images per patient.")
    var imagesPerPatient = 2

    @Option(help: "Image side in pixels at 40x.")
    var size = 1000

    @OptionGroup var settings: RunArguments
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let cohort = (output as NSString).appendingPathComponent("cohort")
        if !FileManager.default.fileExists(atPath: cohort + "/.complete") {
            print("generating a synthetic cohort: \(patients) patients x \(imagesPerPatient) images of \(size)x\(size) -> \(cohort)")
            try SynthCommand.generate(output: cohort, patients: patients, imagesPerPatient: imagesPerPatient,
                                      width: size, height: size, seed: settings.seed, cmask: true, log: global.logger("synth"))
            _ = FileManager.default.createFile(atPath: cohort + "/.complete", contents: Data())
        }
        try RunCommand.execute(dataset: cohort, output: (output as NSString).appendingPathComponent("run"),
                               options: settings.options(defaultIterations: 600), global: global)
    }
}
