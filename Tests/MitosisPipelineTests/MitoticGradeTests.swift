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
}
