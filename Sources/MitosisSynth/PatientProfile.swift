import MitosisSupport
/// Everything that is constant across one patient's images: stain, tumour morphology, mitotic activity.
///
/// Drawn from `(seed, patient)` only, so any image can be generated without generating the others.
struct PatientProfile: Sendable {
    var stain: StainProfile
    /// Expected mitoses per image for this patient (0 for the mitosis-free patient).
    var mitosisRate: Double
    /// The image (1-based) that holds at least one mitosis whatever its draw: set for a patient with
    /// mitoses whose images would otherwise all draw none.
    var guaranteedImage: Int?
    /// Typical tumour-nucleus semi-major axis, pixels at 40x (15...24: 30-48 px nuclei).
    var nucleusRadius: Float
    /// Relative spread of nucleus sizes (pleomorphism).
    var pleomorphism: Float
    /// Centre-to-centre spacing of tumour nuclei, pixels (crowding).
    var nucleusSpacing: Float
    /// Fraction of tumour nuclei that are hyperchromatic (dark, coarse chromatin).
    var hyperchromatic: Double
    /// Level of the nest field above which tissue is tumour; lower = more tumour.
    var tumourThreshold: Float
    /// Tumour-infiltrating lymphocyte level, roughly 0.3...3.
    var lymphocytes: Double
    /// Apoptotic and pyknotic cells per 2000x2000 image.
    var apoptosis: Double
    /// Relative weights of prometaphase, metaphase, anaphase, telophase.
    var phaseWeights: [Double]

    /// Profiles of all patients of a cohort; rates are normalised so the cohort mean is
    /// `spec.mitosesPerImage` per image.
    static func all(for spec: CohortSpec) -> [PatientProfile] {
        var profiles = (1...spec.patients).map { profile(spec: spec, patient: $0) }
        let total = profiles.reduce(0) { $0 + $1.mitosisRate }
        let scale = total > 0 ? spec.mitosesPerImage * Double(spec.patients) / total : 0
        for i in profiles.indices { profiles[i].mitosisRate *= scale }
        // A patient with a mitotic rate gets at least one mitosis: replay each image's count draw (the first
        // draw of `CellPlan`'s stream) and, if every image drew none, give its first image one. Cohorts in
        // which every such patient drew a mitosis keep every byte.
        for i in profiles.indices where profiles[i].mitosisRate > 0 {
            let patient = i + 1
            let none = (1...spec.imagesPerPatient).allSatisfy { index in
                var rng = SyntheticCohort.planStream(spec, patient: patient, index: index)
                return rng.poisson(profiles[i].mitosisRate) == 0
            }
            if none { profiles[i].guaranteedImage = 1 }
        }
        return profiles
    }

    /// One patient's profile before rate normalisation.
    private static func profile(spec: CohortSpec, patient: Int) -> PatientProfile {
        var rng = SplitMix64(seed: spec.seed, 1, UInt64(patient))
        let stain = StainProfile.random(&rng)
        var rate = _exp(spec.patientRateSpread * rng.normal())
        if spec.mitosisFreePatients.contains(patient) { rate = 0 }
        return PatientProfile(
            stain: stain,
            mitosisRate: rate,
            guaranteedImage: nil,
            nucleusRadius: Float(rng.uniform(17, 23)),
            pleomorphism: Float(rng.uniform(0.1, 0.25)),
            nucleusSpacing: Float(rng.uniform(44, 52)),
            hyperchromatic: rng.uniform(0.05, 0.2),
            tumourThreshold: Float(rng.uniform(-0.15, 0.1)),
            lymphocytes: _exp(rng.normal() * 0.7),
            apoptosis: rng.uniform(3, 9),
            phaseWeights: [rng.uniform(2, 4), rng.uniform(2, 4), rng.uniform(0.6, 1.5), rng.uniform(0.6, 1.5)])
    }
}
