import Foundation
import MitosisSupport
import Testing
@testable import MitosisPipeline
import MitosisVisuals

@Suite struct ReportWriterTests {
    let entries = [DetectionWriter.Entry(x: 1204, y: 88.5, score: 3.5731),
                   DetectionWriter.Entry(Point(x: 17.25, y: 1999), score: -0.5)]

    @Test func csvHasHeaderAndOneRowPerDetection() throws {
        let csv = DetectionWriter.csv(entries)
        let lines = csv.split(separator: "\n").map(String.init)
        // The score column is named after its unit.
        #expect(lines == ["x,y,logodds", "1204,88.5,3.5731", "17.25,1999,-0.5000"])
        let parsed = try DetectionWriter.parseCSV(csv)
        #expect(parsed.map(\.x) == [1204, 17.25] && parsed.map(\.y) == [88.5, 1999])
        #expect(abs(parsed[0].score - 3.5731) < 1e-6)
        #expect(DetectionWriter.csv([]) == "x,y,logodds\n")
        #expect(throws: PipelineError.self) { try DetectionWriter.parseCSV("x,y,logodds\n1,2\n") }
        #expect(throws: PipelineError.self) { try DetectionWriter.parseCSV("1,2,3\n") }
    }

    /// Values that round to a whole number at 2 decimals are written without a dangling point (was "27.").
    @Test func coordinatesRoundingToWholeNumbersHaveNoTrailingPoint() {
        #expect(DetectionWriter.number(26.999) == "27" && DetectionWriter.number(0.6) == "0.6")
        #expect(DetectionWriter.number(-0.001) == "0" && DetectionWriter.number(1485.42) == "1485.42" && DetectionWriter.number(3.10) == "3.1")
    }

    @Test func csvOfEarlierVersionsWithAmbiguousUnitsIsRefusedWithAHint() {
        #expect {
            try DetectionWriter.parseCSV("x,y,score\n1,2,0.9\n", path: "old.csv")
        } throws: { "\($0)".contains("old.csv") && "\($0)".contains("mitosis detect") }
    }

    @Test func csvErrorsCountBlankLinesAndCRLF() throws {
        #expect(try DetectionWriter.parseCSV("x,y,logodds\r\n\r\n1,2,0.5\r\n").count == 1)
        #expect {
            try DetectionWriter.parseCSV("x,y,logodds\n\n1,2,3\nx,2,3\n", path: "d.csv")
        } throws: { "\($0)".contains("d.csv") && "\($0)".contains("line 4") }
    }

    @Test func geoJSONIsAQuPathFeatureCollectionOfPoints() throws {
        let text = DetectionWriter.geoJSON(entries, objectType: .annotation, className: "Mitosis \"A\"",
                                           color: RGBColor(10, 20, 30))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["type"] as? String == "FeatureCollection")
        let features = try #require(root["features"] as? [[String: Any]])
        #expect(features.count == 2)
        for (f, e) in zip(features, entries) {
            #expect(f["type"] as? String == "Feature")
            let geometry = try #require(f["geometry"] as? [String: Any])
            #expect(geometry["type"] as? String == "Point")
            let xy = try #require(geometry["coordinates"] as? [Double])
            #expect(xy == [e.x, e.y])
            let props = try #require(f["properties"] as? [String: Any])
            #expect(props["objectType"] as? String == "annotation")
            let cls = try #require(props["classification"] as? [String: Any])
            #expect(cls["name"] as? String == "Mitosis \"A\"")
            #expect(cls["color"] as? [Int] == [10, 20, 30])
            let m = try #require(props["measurements"] as? [String: Any])
            let logOdds = try #require(m["log-odds"] as? Double)
            #expect(abs(logOdds - Double(e.score)) < 1e-4)
            let p = try #require(m["P(mitosis)"] as? Double)
            #expect(abs(p - 1 / (1 + exp(-Double(e.score)))) < 1e-6)
        }
        let empty = try JSONSerialization.jsonObject(with: Data(DetectionWriter.geoJSON([]).utf8)) as? [String: Any]
        #expect((empty?["features"] as? [Any])?.isEmpty == true)
    }

    @Test func filesAreWrittenWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vis-det-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DetectionWriter.writeCSV(entries, to: dir + "/a/01_01.csv")
        try DetectionWriter.writeGeoJSON(entries, to: dir + "/a/01_01.geojson")
        #expect(try String(contentsOfFile: dir + "/a/01_01.csv", encoding: .utf8) == DetectionWriter.csv(entries))
        #expect(try String(contentsOfFile: dir + "/a/01_01.geojson", encoding: .utf8) == DetectionWriter.geoJSON(entries))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/a").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }
}
