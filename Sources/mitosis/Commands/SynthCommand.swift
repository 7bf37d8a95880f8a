import ArgumentParser
import Foundation
import MitosisSynth

/// `mitosis synth`: a synthetic H&E cohort in the tutorial's layout.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic H&E cohort in the tutorial's dataset layout.",
        discussion: """
            PP_II.tif (RGB, 40x), PP_II.csv (mitosis centres x,y), PP_II_pc.png (disks of radius 8 at the \
            centres) and PP_II_cmask.png (dilated blue-ratio mask). The same seed gives the same bytes. \
            As in the tutorial's data (patient 10 of 12), one patient in ten has no mitoses: patients 10, 20, ... \
            (none in a cohort of fewer than 10; --mitosis-free chooses others). Every other patient has at \
            least one mitosis, so patient-level folds of a small cohort all have positives.
            """)

    @Argument(help: "Output folder.")
    var output: String

    @Option(help: "Number of patients.")
    var patients = 12

    @Option(help: "Images per patient.")
    var imagesPerPatient = 4

    @Option(help: "Image size in pixels at 40x: N or WxH.")
    var size = "2000"

    @Option(help: "Seed of everything random.")
    var seed: UInt64 = 1

    @Option(help: "Mean mitoses per image over the cohort (default: the tutorial's 550 in 311 images).")
    var mitosesPerImage: Double = 550.0 / 311.0

    @Option(help: "Patients without mitoses, comma-separated numbers, or 'none' (default: 10, 20, ...).")
    var mitosisFree: String?

    @Flag(inversion: .prefixedNo, help: "Also write the _cmask.png blue-ratio masks.")
    var cmask = true

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (w, h) = try parseSize(size)
        guard mitosesPerImage >= 0, mitosesPerImage.isFinite else { throw ValidationError("--mitoses-per-image must be >= 0") }
        let spec = CohortSpec(patients: patients, imagesPerPatient: imagesPerPatient, width: w, height: h, seed: seed,
                              mitosesPerImage: mitosesPerImage, mitosisFreePatients: try parseMitosisFree(mitosisFree))
        try CohortConsole.write(spec, to: output, cmask: cmask)
    }

    func parseMitosisFree(_ text: String?) throws -> [Int]? {
        guard let text else { return nil }
        if text.lowercased() == "none" { return [] }
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !values.isEmpty, values.count == parts.count, values.allSatisfy({ (1...patients).contains($0) }) else {
            throw ValidationError("--mitosis-free: expected 'none' or patient numbers 1-\(patients), comma-separated, got '\(text)'")
        }
        return values
    }

    func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard (parts.count == 1 || parts.count == 2), parts.allSatisfy({ $0 >= 64 }) else {
            throw ValidationError("--size: expected N or WxH with sides of at least 64, got '\(text)'")
        }
        return (parts[0], parts.count == 2 ? parts[1] : parts[0])
    }
}
