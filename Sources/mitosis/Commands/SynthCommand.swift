import ArgumentParser
import Foundation
import MitosisData
import MitosisImage
import MitosisSynth
import Logging

/// `mitosis synth`: a synthetic H&E cohort in the tutorial's layout.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic H&E cohort in the tutorial's dataset layout.",
        discussion: """
            PP_II.tif (RGB, 40x), PP_II.csv (mitosis centres x,y), PP_II_pc.png (disks of radius 8 at the \
            centres) and PP_II_cmask.png (dilated blue-ratio mask). The same seed gives the same bytes. \
            Patient 10 (or the last patient, with fewer than 10) has no mitoses, like the tutorial's data.
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

    @Flag(inversion: .prefixedNo, help: "Also write the _cmask.png blue-ratio masks.")
    var cmask = true

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (w, h) = try parseSize(size)
        guard mitosesPerImage >= 0, mitosesPerImage.isFinite else { throw ValidationError("--mitoses-per-image must be >= 0") }
        try SynthCommand.generate(output: output, patients: patients, imagesPerPatient: imagesPerPatient,
                                  width: w, height: h, seed: seed, mitosesPerImage: mitosesPerImage, cmask: cmask,
                                  log: global.logger("synth"))
    }

    /// Writes the cohort (and its _cmask masks) and prints what was written.
    static func generate(output: String, patients: Int, imagesPerPatient: Int, width w: Int, height h: Int,
                         seed: UInt64, mitosesPerImage: Double = 550.0 / 311.0, cmask: Bool, log: Logger) throws {
        let spec = CohortSpec(patients: patients, imagesPerPatient: imagesPerPatient, width: w, height: h, seed: seed,
                              mitosesPerImage: mitosesPerImage)
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
        if let free = summary.mitosisFreePatient { print("patient \(spec.patientID(free)) has no mitoses") }
    }

    func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard (parts.count == 1 || parts.count == 2), parts.allSatisfy({ $0 >= 64 }) else {
            throw ValidationError("--size: expected N or WxH with sides of at least 64, got '\(text)'")
        }
        return (parts[0], parts.count == 2 ? parts[1] : parts[0])
    }
}
