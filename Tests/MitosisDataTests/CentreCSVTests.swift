import Testing
@testable import MitosisData

@Suite struct CentreCSVTests {
    @Test func plainLines() throws {
        let c = try CentreCSV.parse("10,20\n30,40\n", file: "a.csv")
        #expect(c == [Centre(x: 10, y: 20), Centre(x: 30, y: 40)])
    }

    @Test func toleratesHeaderBlankLinesExtraColumnsAndCRLF() throws {
        let text = "x,y,label\r\n\r\n 12.5 , 7 ,mitosis\r\n3,4\r\n\r\n"
        let c = try CentreCSV.parse(text, file: "a.csv")
        #expect(c == [Centre(x: 12.5, y: 7), Centre(x: 3, y: 4)])
    }

    @Test func rowFirstOrderSwapsAxes() throws {
        let c = try CentreCSV.parse("20,10\n", file: "a.csv", order: .yx)
        #expect(c == [Centre(x: 10, y: 20)])
    }

    @Test func emptyFileHasNoCentres() throws {
        #expect(try CentreCSV.parse("", file: "a.csv").isEmpty)
    }

    @Test(arguments: ["10;20", "10", "a,b", "10,nan", "1,2\nfoo,3"])
    func badLineNamesFileAndLine(text: String) {
        do {
            _ = try CentreCSV.parse("1,1\n" + text, file: "01_02.csv")
            Issue.record("expected an error for \(text)")
        } catch let error as DatasetError {
            guard case let .badCSVLine(file, line, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == "01_02.csv")
            #expect(line >= 2)
            #expect(error.description.contains("01_02.csv:\(line)"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func headerIsOnlyToleratedOnTheFirstLine() {
        #expect(throws: DatasetError.self) { try CentreCSV.parse("1,2\nx,y\n", file: "a.csv") }
    }

    @Test func centreOutsideImageIsAnError() {
        #expect(throws: DatasetError.centreOutsideImage(file: "a.csv", line: 2, x: 100, y: 5, width: 100, height: 50)) {
            try CentreCSV.parse("1,1\n100,5\n", file: "a.csv", imageSize: (100, 50))
        }
        #expect(throws: DatasetError.self) { try CentreCSV.parse("-1,5\n", file: "a.csv", imageSize: (100, 50)) }
    }

    @Test func formatRoundTrips() throws {
        let centres = [Centre(x: 1, y: 2), Centre(x: 3.5, y: 4)]
        #expect(CentreCSV.format(centres) == "1,2\n3.5,4\n")
        #expect(try CentreCSV.parse(CentreCSV.format(centres), file: "x") == centres)
    }
}
