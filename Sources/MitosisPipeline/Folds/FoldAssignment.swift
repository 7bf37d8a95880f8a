import MitosisData
import MitosisSupport
/// Step 2 of the tutorial: patient-level k-fold cross-validation.
///
/// The author's `step2_make_training_lists.m` assigns patients to folds with `crossvalind('Kfold', ...)`,
/// i.e. at random. With 12 patients that can leave a fold without a single mitosis, so we depart from it:
/// from the seed we draw `candidates` random assignments, each dealing the patients with mitoses in a random
/// order (the first k one per fold, then each to the fold with the fewest mitoses so far) and the patients
/// without mitoses to the folds with the fewest patients; we keep the candidate whose folds' mitosis counts
/// spread least. Every fold gets a patient with mitoses, the folds are balanced, and the seed still matters.
public struct FoldAssignment: Sendable, Equatable, Codable {
    /// Number of folds.
    public var k: Int
    /// Fold (1-based) of each patient.
    public var foldOfPatient: [String: Int]

    /// Patients tested in fold `fold` (1-based), sorted.
    public func testPatients(_ fold: Int) -> [String] {
        foldOfPatient.filter { $0.value == fold }.map(\.key).sorted(by: Dataset.patientOrder)
    }

    /// Patients trained on in fold `fold`: everyone not tested in it, sorted.
    public func trainPatients(_ fold: Int) -> [String] {
        foldOfPatient.filter { $0.value != fold }.map(\.key).sorted(by: Dataset.patientOrder)
    }

    /// Assigns patients to `k` folds.
    /// - Parameter mitoses: annotated mitoses per patient (patients listed here are the ones assigned).
    public static func make(mitoses: [String: Int], k: Int, seed: UInt64, candidates: Int = 64) throws -> FoldAssignment {
        guard k >= 2 else { throw PipelineError.invalidOption("--folds must be at least 2 (got \(k))") }
        let patients = mitoses.keys.sorted(by: Dataset.patientOrder)
        let withMitoses = patients.filter { mitoses[$0]! > 0 }, without = patients.filter { mitoses[$0]! == 0 }
        guard withMitoses.count >= k else {
            throw PipelineError.invalidOption(
                "\(k) folds need at least \(k) patients with mitoses; the data has \(withMitoses.count). HINT: use fewer folds (--folds).")
        }
        var rng = SeededRandom(seed: seed, stream: SeededRandom.stream("folds"))
        var best: (spread: Int, fold: [String: Int])?
        for _ in 0..<max(candidates, 1) {
            var load = [Int](repeating: 0, count: k), members = [Int](repeating: 0, count: k)
            var fold: [String: Int] = [:]
            func place(_ patient: String, _ target: Int) {
                load[target] += mitoses[patient]!; members[target] += 1; fold[patient] = target + 1
            }
            for (i, p) in rng.shuffled(withMitoses).enumerated() {
                place(p, i < k ? i : (0..<k).min { (load[$0], members[$0], $0) < (load[$1], members[$1], $1) }!)
            }
            for p in rng.shuffled(without) {
                place(p, (0..<k).min { (members[$0], $0) < (members[$1], $1) }!)
            }
            let spread = load.max()! - load.min()!
            if best == nil || spread < best!.spread { best = (spread, fold) }
        }
        return FoldAssignment(k: k, foldOfPatient: best!.fold)
    }
}

