import MitosisSupport
import Dispatch
import Foundation
import MitosisImage

/// Generator of synthetic H&E breast-carcinoma cohorts in the tutorial's dataset layout.
///
/// Re-creates the *kind* of data of Janowczyk & Madabhushi (2016), use case 5 (which cannot be downloaded
/// here): 40x fields of invasive carcinoma with annotated mitotic figures in several phases, dark
/// look-alikes (lymphocytes, pyknotic nuclei, apoptotic bodies, debris), per-patient stain variation, and
/// a mitosis-free patient. Tissue is drawn as hematoxylin and eosin amounts and converted to RGB by
/// Beer-Lambert absorption.
///
/// Departures from real data: the tissue is a statistical caricature (no ducts, fat, necrosis or
/// artefacts other than clefts and blur); mitoses per image are Poisson around a patient rate rather than
/// following real biology.
///
/// ```swift
/// let spec = CohortSpec(patients: 12, imagesPerPatient: 4, seed: 7)
/// let summary = try SyntheticCohort.write(spec, to: "data/synthetic")
/// ```
public enum SyntheticCohort {
    /// Renders image `index` of patient `patient` (both 1-based) and returns it with its mitotic figures.
    ///
    /// Depends only on `(spec, patient, index)`: images can be generated in any order or in parallel.
    /// - Returns: a `spec.width` x `spec.height` RGB image and its figures sorted by row, then column.
    public static func generateImage(_ spec: CohortSpec, patient: Int, index: Int) -> (Image, [MitosisFigure]) {
        precondition((1...spec.patients).contains(patient) && (1...spec.imagesPerPatient).contains(index),
                     "patient \(patient) / image \(index) outside the cohort")
        let profile = PatientProfile.all(for: spec)[patient - 1]
        return render(spec: spec, profile: profile, patient: patient, index: index)
    }

    /// The random stream of an image's cell plan; its first draw is the image's mitosis count.
    static func planStream(_ spec: CohortSpec, patient: Int, index: Int) -> SplitMix64 {
        SplitMix64(seed: spec.seed, 2, UInt64(patient), UInt64(index), 2)
    }

    static func render(spec: CohortSpec, profile: PatientProfile, patient: Int, index: Int) -> (Image, [MitosisFigure]) {
        // One independent random stream per stage, so changing how one stage draws leaves the others alone.
        func stream(_ stage: UInt64) -> SplitMix64 {
            SplitMix64(seed: spec.seed, 2, UInt64(patient), UInt64(index), stage)
        }
        var rng = stream(1)
        let layout = TissueLayout(width: spec.width, height: spec.height, profile: profile, rng: &rng)
        rng = planStream(spec, patient: patient, index: index)
        let plan = CellPlan(layout: layout, profile: profile, minimumFigures: profile.guaranteedImage == index ? 1 : 0, rng: &rng)
        rng = stream(3)
        let canvas = DensityCanvas(width: spec.width, height: spec.height, rng: &rng)
        Ground.paint(canvas, layout: layout, plan: plan, rng: &rng)
        rng = stream(4)
        Stroma.paint(canvas, layout: layout, rng: &rng)
        rng = stream(5)
        for cell in plan.cells {
            switch cell.kind {
            case .nucleus: Nuclei.tumour(canvas, x: cell.x, y: cell.y, profile: profile, rng: &rng)
            case .pyknotic: Nuclei.pyknotic(canvas, x: cell.x, y: cell.y, rng: &rng)
            case .apoptotic: Nuclei.apoptotic(canvas, x: cell.x, y: cell.y, rng: &rng)
            case .mitosis(let phase): MitosisPainter.paint(canvas, x: cell.x, y: cell.y, phase: phase, rng: &rng)
            }
        }
        for l in plan.lymphocytes { Nuclei.lymphocyte(canvas, x: l.x, y: l.y, rng: &rng) }
        let area = Double(spec.width * spec.height) / 4_000_000
        for _ in 0..<rng.poisson(10 * area) {
            let x = Float(rng.uniform(0, Double(spec.width))), y = Float(rng.uniform(0, Double(spec.height)))
            if plan.figures.allSatisfy({ abs(Float($0.x) - x) + abs(Float($0.y) - y) > 70 }) {
                Nuclei.debris(canvas, x: x, y: y, rng: &rng)
            }
        }
        // Optics and scanner: a slight blur, a small per-image stain drift, sensor noise.
        rng = stream(6)
        var stain = profile.stain
        stain.hematoxylinStrength *= Float(rng.uniform(0.95, 1.05))
        stain.eosinStrength *= Float(rng.uniform(0.95, 1.05))
        BoxBlur.apply(&canvas.h, width: spec.width, height: spec.height, radius: 1, passes: stain.blurPasses)
        BoxBlur.apply(&canvas.e, width: spec.width, height: spec.height, radius: 1, passes: stain.blurPasses)
        let image = Absorption.render(canvas, stain: stain, rng: &rng)
        let figures = plan.figures.sorted { ($0.y, $0.x) < ($1.y, $1.x) }
        return (image, figures)
    }
}
