import Testing
@testable import MitosisPipeline

@Suite struct MitoticGradeTests {
    @Test(arguments: [(0.0, 1), (7.0, 1), (7.4, 1), (7.6, 2), (14.0, 2), (15.0, 3), (40.0, 3)])
    func cutOffs(per10: Double, score: Int) {
        #expect(MitoticGrade.score(per10HPF: per10) == score)
    }

    @Test func densityFromPixels() {
        // 4 images of 2000x2000 at 0.25 um: 1 mm^2; 10 mitoses -> 10/mm^2 -> 19.6 per 10 HPF of 0.196 mm^2.
        let g = MitoticGrade(count: 10, pixels: 4 * 2000 * 2000)
        #expect(abs(g.areaMM2 - 1.0) < 1e-12)
        #expect(abs(g.perMM2 - 10) < 1e-9)
        #expect(abs(g.per10HPF - 19.6) < 1e-9)
        #expect(g.score == 3)
        let wide = MitoticGrade(count: 10, pixels: 4 * 2000 * 2000, pixelSizeMicrons: 0.5, fieldAreaMM2: 0.3)
        #expect(abs(wide.per10HPF - 7.5) < 1e-9)
        #expect(wide.score == 2)
    }

    @Test func patientsPoolTheirImagesCountsAndAreas() {
        // Patient 2: 3 + 1 mitoses in two 2000x2000 images (2 x 0.25 mm^2 at 0.25 um) -> 8 per mm^2, 15.7 per
        // 10 HPF -> score 3; patient 10 sorts after 2; patient 1 has none.
        let images = [ImageCount(name: "10_01", patient: "10", count: 2, pixels: 4_000_000),
                      ImageCount(name: "02_01", patient: "2", count: 3, pixels: 4_000_000),
                      ImageCount(name: "02_02", patient: "2", count: 1, pixels: 4_000_000),
                      ImageCount(name: "01_01", patient: "1", count: 0, pixels: 1_000_000)]
        let grades = MitoticGrade.perPatient(images, pixelSizeMicrons: 0.25, fieldAreaMM2: 0.196)
        #expect(grades.map(\.patient) == ["1", "2", "10"])
        #expect(grades[1].images == ["02_01", "02_02"])
        #expect(grades[1].grade == MitoticGrade(count: 4, pixels: 8_000_000, pixelSizeMicrons: 0.25, fieldAreaMM2: 0.196))
        #expect(abs(grades[1].grade.perMM2 - 8) < 1e-9 && grades[1].grade.score == 3)
        #expect(grades[0].grade.count == 0 && grades[0].grade.score == 1)
    }
}
