import MitosisSupport
import Testing
@testable import MitosisPipeline

@Suite struct FoldAssignmentTests {
    /// A cohort shaped like the tutorial's: 12 patients, uneven mitoses, patient 10 with none.
    let mitoses = ["1": 80, "2": 5, "3": 60, "4": 12, "5": 150, "6": 30, "7": 44, "8": 9,
                   "9": 70, "10": 0, "11": 25, "12": 65]

    @Test(arguments: [UInt64(1), 2, 3, 99])
    func everyPatientInExactlyOneTestFoldAndNeverBothSides(seed: UInt64) throws {
        let a = try FoldAssignment.make(mitoses: mitoses, k: 5, seed: seed)
        var tested: [String] = []
        for fold in 1...5 {
            let test = Set(a.testPatients(fold)), train = Set(a.trainPatients(fold))
            #expect(test.isDisjoint(with: train))
            #expect(test.union(train) == Set(mitoses.keys))
            #expect(!test.isEmpty)
            #expect(test.contains { mitoses[$0]! > 0 }, "fold \(fold) has no patient with mitoses")
            tested += test
        }
        #expect(tested.sorted() == mitoses.keys.sorted())
    }

    @Test func sameSeedSameFoldsDifferentSeedsDiffer() throws {
        let a = try FoldAssignment.make(mitoses: mitoses, k: 5, seed: 7)
        let b = try FoldAssignment.make(mitoses: mitoses, k: 5, seed: 7)
        #expect(a == b)
        let others = try (1...20).map { try FoldAssignment.make(mitoses: mitoses, k: 5, seed: UInt64(100 + $0)) }
        #expect(others.contains { $0 != a })
    }

    @Test func mitosesAreBalanced() throws {
        let a = try FoldAssignment.make(mitoses: mitoses, k: 5, seed: 3)
        let loads = (1...5).map { f in a.testPatients(f).reduce(0) { $0 + mitoses[$1]! } }
        // 550 mitoses over 5 folds: greedy balancing keeps every fold within 40 of the mean of 110.
        #expect(loads.reduce(0, +) == 550)
        #expect(loads.allSatisfy { abs($0 - 110) <= 40 }, "\(loads)")
    }

    @Test func tooFewPatientsWithMitosesIsAnError() {
        #expect(throws: PipelineError.self) {
            try FoldAssignment.make(mitoses: ["1": 3, "2": 0, "3": 4], k: 3, seed: 1)
        }
    }

    @Test func patientIdsSortNumerically() throws {
        let a = try FoldAssignment.make(mitoses: mitoses, k: 2, seed: 1)
        let all = a.testPatients(1) + a.testPatients(2)
        for list in [a.testPatients(1), a.testPatients(2)] {
            #expect(list == list.sorted { Int($0)! < Int($1)! })
        }
        #expect(all.count == 12)
    }
}
