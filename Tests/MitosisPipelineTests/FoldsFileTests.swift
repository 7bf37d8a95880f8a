import Foundation
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// `FoldsFile`, the one reader of folds.json: the whole summary (`run`, `refine`, `database`) and the test
/// patients only (`evaluate`, hand-written files) come from the same file handling and checks.
@Suite struct FoldsFileTests {
    func folder(_ json: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("folds-file-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try json.write(toFile: dir + "/folds.json", atomically: true, encoding: .utf8)
        return dir
    }

    func summaryJSON(secondFoldTests: [String]) throws -> String {
        let assignment = FoldAssignment(k: 2, foldOfPatient: ["01": 1, "02": 2, "03": 2])
        func fold(_ k: Int, _ test: [String]) -> FoldStep.FoldSummary {
            FoldStep.FoldSummary(fold: k, trainPatients: [], testPatients: test, trainImages: 1, testImages: 1,
                                 trainPatches: [4, 2], testPatches: [4, 2], testMitoses: 1)
        }
        let summary = FoldStep.Summary(k: 2, seed: 1, patchSize: 32, assignment: assignment,
                                       folds: [fold(1, ["01"]), fold(2, secondFoldTests)])
        return String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
    }

    @Test func theSummaryAndTheTestPatientsComeFromTheSameFile() throws {
        let dir = try folder(try summaryJSON(secondFoldTests: ["02", "03"]))
        let summary = try FoldStep.Summary.read(from: dir)
        #expect(summary.k == 2 && summary.folds.map(\.testPatients) == [["01"], ["02", "03"]])
        let lenient = try FoldsFile.read(dir + "/folds.json")
        #expect(lenient.map(\.fold) == [1, 2] && lenient.map(\.patients) == [["01"], ["02", "03"]])
    }

    @Test func aHandWrittenFileServesEvaluationButNotTheSteps() throws {
        let dir = try folder(#"{"folds":[{"fold":2,"testPatients":["b"]},{"fold":1,"testPatients":["a"]}]}"#)
        #expect(try FoldsFile.read(dir).map(\.fold) == [1, 2])
        let error = #expect(throws: PipelineError.self) { try FoldStep.Summary.read(from: dir) }
        let text = (error?.description ?? "")
        #expect(text.contains(dir + "/folds.json") && text.contains("missing key") && text.contains("mitosis folds"), "\(text)")
    }

    @Test func aPatientTestedInTwoFoldsIsRefusedByBothReaders() throws {
        let dir = try folder(try summaryJSON(secondFoldTests: ["01", "03"]))
        for read in [{ _ = try FoldStep.Summary.read(from: dir) }, { _ = try FoldsFile.read(dir) }] {
            let error = #expect(throws: PipelineError.self) { try read() }
            #expect((error?.description ?? "").contains("patient 01 is a test patient of folds 1 and 2"))
        }
    }

    @Test func aMissingFileIsNamedWithWhatToRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("folds-none-\(UUID().uuidString)").path
        let error = #expect(throws: PipelineError.self) { try FoldStep.Summary.read(from: dir) }
        #expect((error?.description ?? "").contains("run `mitosis folds` first"))
    }
}
