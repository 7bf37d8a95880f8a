import MitosisImage
import Testing
@testable import MitosisData

@Suite struct DatasetCheckTests {
    /// A `_pc` helper image with disks of radius 8 at the given (x, y) centres.
    func pc(_ centres: [Centre], width: Int = 120, height: Int = 80) -> Image {
        Image(mask: HelperMasks.disks(at: centres, radius: 8, width: width, height: height))
    }

    @Test func centresOnTheCirclesPass() {
        let c = [Centre(x: 100, y: 20), Centre(x: 30, y: 60)]
        #expect(DatasetCheck.checkCentres(c, onCircles: pc(c), csv: "a.csv").isEmpty)
    }

    @Test func swappedAxesAreNamed() {
        let c = [Centre(x: 100, y: 20), Centre(x: 30, y: 60)]
        let rowFirst = c.map { Centre(x: $0.y, y: $0.x) }
        let findings = DatasetCheck.checkCentres(rowFirst, onCircles: pc(c, width: 120, height: 120), csv: "a.csv")
        #expect(findings.count == 1)
        #expect(findings.first?.severity == .error)
        #expect(findings.first?.message.contains("--csv-order yx") == true)
    }

    @Test func centresOffTheCirclesAreAWarning() {
        let c = [Centre(x: 100, y: 20), Centre(x: 30, y: 60)]
        let findings = DatasetCheck.checkCentres([c[0], Centre(x: 60, y: 40)], onCircles: pc(c), csv: "a.csv")
        #expect(findings.map(\.severity) == [.warning])
        #expect(findings.first?.message.hasPrefix("1 of 2") == true)
    }
}
