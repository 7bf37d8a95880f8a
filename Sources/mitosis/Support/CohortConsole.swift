import Foundation
import MitosisSynth

/// How the CLI writes a synthetic cohort (`synth`, `demo`): a progress bar, then what was written.
enum CohortConsole {
    /// Writes the cohort of `spec` to `output` (with `_cmask` masks if `cmask`) and prints a summary. With
    /// `reuse`, a finished cohort of the same spec is kept (`SyntheticCohort.writeUnlessDone`).
    static func write(_ spec: CohortSpec, to output: String, cmask: Bool, reuse: Bool = false) throws {
        let bar = ProgressBar("synth", total: spec.patients * spec.imagesPerPatient)
        let start = Date()
        let progress: @Sendable (Int, Int) -> Void = { _, _ in bar.advance() }
        let written = reuse
            ? try SyntheticCohort.writeUnlessDone(spec, to: output, candidateMasks: cmask, progress: progress)
            : try SyntheticCohort.write(spec, to: output, candidateMasks: cmask, progress: progress)
        bar.finish()
        guard let summary = written else { return print("reusing the synthetic cohort in \(output)") }
        print("wrote \(summary.entries.count) images of \(spec.width)x\(spec.height) for \(spec.patients) patients, "
              + "\(summary.mitosisCount) mitoses, to \(output) " + String(format: "(%.1f s)", Date().timeIntervalSince(start)))
        let free = summary.mitosisFreePatients.map(spec.patientID)
        if !free.isEmpty { print("patient\(free.count > 1 ? "s" : "") \(free.joined(separator: ", ")) without mitoses") }
    }
}
