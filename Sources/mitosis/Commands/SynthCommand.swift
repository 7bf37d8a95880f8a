import ArgumentParser
import Foundation
import MitosisData
import MitosisImage
import MitosisSynth
import Logging
import MitosisSupport

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
        try SynthCommand.generate(output: output, patients: patients, imagesPerPatient: imagesPerPatient,
                                  width: w, height: h, seed: seed, mitosesPerImage: mitosesPerImage,
                                  mitosisFree: try parseMitosisFree(mitosisFree), cmask: cmask, log: global.logger("synth"))
    }

    /// Writes the cohort (and its _cmask masks) and prints what was written.
    static func generate(output: String, patients: Int, imagesPerPatient: Int, width w: Int, height h: Int,
                         seed: UInt64, mitosesPerImage: Double = 550.0 / 311.0, mitosisFree: [Int]? = nil, cmask: Bool,
                         log: Logger) throws {
        let spec = CohortSpec(patients: patients, imagesPerPatient: imagesPerPatient, width: w, height: h, seed: seed,
                              mitosesPerImage: mitosesPerImage, mitosisFreePatients: mitosisFree)
        let total = patients * imagesPerPatient
        let bar = ProgressBar("synth", total: total * (cmask ? 2 : 1))
        let start = Date()
        let summary = try SyntheticCohort.write(spec, to: output, progress: { _, _ in bar.advance() })
        if cmask {
            let failures = ParallelMap.map(summary.entries) { entry -> String? in
                defer { bar.advance() }
                let base = (output as NSString).appendingPathComponent(entry.name)
                do {
                    let image = try ImageIO.read(base + ".tif")
                    try ImageIO.write(Image(mask: HelperMasks.candidateMask(for: image)), to: base + "_cmask.png")
                    return nil
                } catch { return "\(base)_cmask.png: \(error)" }
            }.compactMap { $0 }
            for f in failures { log.error("\(f)") }
            if !failures.isEmpty { throw ExitCode.failure }
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(summary.entries.count) images of \(w)x\(h) for \(patients) patients, "
              + "\(summary.mitosisCount) mitoses, to \(output) " + String(format: "(%.1f s)", seconds))
        let free = summary.mitosisFreePatients.map(spec.patientID)
        if !free.isEmpty { print("patient\(free.count > 1 ? "s" : "") \(free.joined(separator: ", ")) without mitoses") }
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
