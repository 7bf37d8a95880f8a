/// Step 2 of the tutorial: patient-level k-fold cross-validation.
///
/// The author's `step2_make_training_lists.m` assigns patients to folds with `crossvalind('Kfold', ...)`,
/// i.e. at random. With 12 patients that can leave a fold without a single mitosis, so we depart from it:
/// patients are dealt so that the mitoses are balanced across folds (largest first, each to the fold with
/// the fewest mitoses so far; ties broken by a seeded shuffle), and patients without mitoses are spread
/// over the folds with the fewest patients. Every fold gets at least one patient with mitoses.
public struct FoldAssignment: Sendable, Equatable, Codable {
    /// Number of folds.
    public var k: Int
    /// Fold (1-based) of each patient.
    public var foldOfPatient: [String: Int]

    /// Patients tested in fold `fold` (1-based), sorted.
    public func testPatients(_ fold: Int) -> [String] {
        foldOfPatient.filter { $0.value == fold }.map(\.key).sorted(by: patientOrder)
    }

    /// Patients trained on in fold `fold`: everyone not tested in it, sorted.
    public func trainPatients(_ fold: Int) -> [String] {
        foldOfPatient.filter { $0.value != fold }.map(\.key).sorted(by: patientOrder)
    }

    /// Assigns patients to `k` folds.
    /// - Parameter mitoses: annotated mitoses per patient (patients listed here are the ones assigned).
    public static func make(mitoses: [String: Int], k: Int, seed: UInt64) throws -> FoldAssignment {
        guard k >= 2 else { throw PipelineError.invalidOption("--folds must be at least 2 (got \(k))") }
        let withMitoses = mitoses.filter { $0.value > 0 }.map(\.key)
        guard withMitoses.count >= k else {
            throw PipelineError.invalidOption(
                "\(k) folds need at least \(k) patients with mitoses; the data has \(withMitoses.count). HINT: use fewer folds (--folds).")
        }
        var rng = SeededRandom(seed: seed, stream: SeededRandom.stream("folds"))
        // Shuffle first so equal counts are ordered by the seed, then a stable sort by count.
        let shuffled = mitoses.keys.sorted(by: patientOrder).shuffled(using: &rng)
        let rank = Dictionary(uniqueKeysWithValues: shuffled.enumerated().map { ($1, $0) })
        let ordered = shuffled.sorted { (mitoses[$0]!, rank[$1]!) > (mitoses[$1]!, rank[$0]!) }
        var load = [Int](repeating: 0, count: k)
        var members = [Int](repeating: 0, count: k)
        var fold: [String: Int] = [:]
        for patient in ordered {
            let count = mitoses[patient]!
            let target: Int
            if count > 0 {
                // The first k go one per fold so no fold is left without mitoses.
                target = (0..<k).min { (members[$0] == 0 ? 0 : 1, load[$0], members[$0], $0)
                    < (members[$1] == 0 ? 0 : 1, load[$1], members[$1], $1) }!
            } else {
                target = (0..<k).min { (members[$0], $0) < (members[$1], $1) }!
            }
            load[target] += count
            members[target] += 1
            fold[patient] = target + 1
        }
        return FoldAssignment(k: k, foldOfPatient: fold)
    }
}

/// Numeric patient ids sort as numbers, others as strings.
func patientOrder(_ a: String, _ b: String) -> Bool {
    if let x = Int(a), let y = Int(b), x != y { return x < y }
    return a < b
}
