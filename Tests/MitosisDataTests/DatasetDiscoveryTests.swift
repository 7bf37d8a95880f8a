import Foundation
import Testing
@testable import MitosisData

@Suite struct DatasetDiscoveryTests {
    func makeFolder(_ files: [String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-ds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in files { FileManager.default.createFile(atPath: dir + "/" + f, contents: Data()) }
        return dir
    }

    @Test func findsImagesCompanionsAndPatients() throws {
        let dir = try makeFolder(["01_01.tif", "01_01.csv", "01_01_pc.png", "01_01_cmask.png",
                                  "01_02.tiff", "01_02.csv", "10_01.png", "2_01.JPG", "notes.txt", "orphan.tif"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ds = try Dataset.discover(at: dir)
        #expect(ds.images.map(\.name) == ["01_01", "01_02", "10_01", "2_01"])
        #expect(ds.patients == ["01", "2", "10"])
        let first = ds.images[0]
        #expect(first.patient == "01")
        #expect(first.csvPath == dir + "/01_01.csv")
        #expect(first.pcPath == dir + "/01_01_pc.png")
        #expect(first.cmaskPath == dir + "/01_01_cmask.png")
        #expect(ds.images[1].pcPath == nil && ds.images[1].cmaskPath == nil)
        #expect(ds.images[2].csvPath == nil)
        #expect(ds.skipped == [dir + "/orphan.tif"])
        #expect(ds.images(of: "01").count == 2)
    }

    @Test func emptyFolderIsAnError() throws {
        let dir = try makeFolder(["readme.txt"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DatasetError.noImages(path: dir)) { try Dataset.discover(at: dir) }
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: DatasetError.self) { try Dataset.discover(at: "/nonexistent/mitosis-data") }
    }
}
