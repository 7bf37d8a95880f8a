/// What synthetic cohort to generate: how many patients and images, how large, from which seed.
///
/// The defaults give the tutorial's image geometry (2000x2000 RGB at 40x, ~0.25 um/px) and its mitosis
/// density (550 mitoses in 311 images, ~1.8 per image, very unevenly spread over patients).
public struct CohortSpec: Sendable, Equatable {
    /// Number of patients; ids are `01`, `02`, ... (two digits, three when there are more than 99).
    public var patients: Int
    /// Images per patient; indices `01`, `02`, ...
    public var imagesPerPatient: Int
    /// Image width in pixels (columns).
    public var width: Int
    /// Image height in pixels (rows).
    public var height: Int
    /// Everything random follows from this; the same seed gives the same bytes on any thread count.
    public var seed: UInt64
    /// Mean number of mitotic figures per image over the whole cohort, whatever the image size.
    /// The spread over patients is uneven (log-normal rates) and the mitosis-free patient has none.
    public var mitosesPerImage: Double
    /// How unequal patients' mitotic rates are: the sigma of the log-normal patient rate.
    public var patientRateSpread: Double

    public init(patients: Int = 12, imagesPerPatient: Int = 4, width: Int = 2000, height: Int = 2000,
                seed: UInt64 = 1, mitosesPerImage: Double = 550.0 / 311.0, patientRateSpread: Double = 0.8,
                mitosisFreePatients: [Int]? = nil) {
        precondition(patients >= 1 && imagesPerPatient >= 1, "a cohort needs at least one image")
        precondition(width >= 64 && height >= 64, "images must be at least 64x64")
        self.patients = patients
        self.imagesPerPatient = imagesPerPatient
        self.width = width
        self.height = height
        self.seed = seed
        self.mitosesPerImage = mitosesPerImage
        self.patientRateSpread = patientRateSpread
        self.requestedMitosisFreePatients = mitosisFreePatients
    }

    /// Patients to leave without mitoses (1-based), or `nil` for the tutorial's proportion (see
    /// `mitosisFreePatients`).
    public var requestedMitosisFreePatients: [Int]?

    /// The patients without mitoses (1-based, ascending). By default the tutorial's proportion, one in ten:
    /// patients 10, 20, 30, ... (the tutorial's data has patient 10 of 12), so a cohort of fewer than 10
    /// patients has none. Every other patient holds at least one mitosis (see `PatientProfile.all`), so
    /// patient-level folds of a small cohort all have something to learn from.
    public var mitosisFreePatients: [Int] {
        if let requested = requestedMitosisFreePatients {
            return Array(Set(requested.filter { (1...patients).contains($0) })).sorted()
        }
        return Array(stride(from: 10, through: patients, by: 10))
    }

    /// Identifier of patient `patient` (1-based): zero-padded to two digits.
    public func patientID(_ patient: Int) -> String { Self.pad(patient, to: max(2, String(patients).count)) }

    /// File stem of an image, `PP_II` (both 1-based).
    public func imageName(patient: Int, index: Int) -> String {
        patientID(patient) + "_" + Self.pad(index, to: max(2, String(imagesPerPatient).count))
    }

    static func pad(_ value: Int, to digits: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}

extension CohortSpec {
    /// Every setting of the spec as one line, for the marker of a finished cohort.
    func stamp(candidateMasks: Bool) -> String {
        let free = mitosisFreePatients.map(String.init).joined(separator: ",")
        return "patients \(patients) images \(imagesPerPatient) size \(width)x\(height) seed \(seed) "
            + "mitoses \(mitosesPerImage) spread \(patientRateSpread) free [\(free)] cmask \(candidateMasks)\n"
    }
}
