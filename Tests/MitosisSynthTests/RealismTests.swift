import MitosisImage
import Testing
@testable import MitosisSynth

@Suite struct RealismTests {
    @Test func mitosisFreePatientHasNoneAndOthersDo() {
        let byPatient = Dictionary(grouping: SmallCohort.images, by: \.patient)
            .mapValues { $0.reduce(0) { $0 + $1.figures.count } }
        #expect(byPatient[10] == 0)
        #expect(byPatient.filter { $0.key != 10 && $0.value > 0 }.count >= 8)
        let profiles = PatientProfile.all(for: CohortSpec(patients: 12, seed: 3))
        #expect(profiles[9].mitosisRate == 0)
        #expect(profiles.filter { $0.mitosisRate > 0 }.count == 11)
    }

    @Test func densityIsNearTheTutorialsAndUneven() {
        // Profiles fix the expected rate exactly; the draw of one cohort must land near it.
        let spec = CohortSpec(patients: 12, imagesPerPatient: 4, width: 128, height: 128, seed: 99)
        let profiles = PatientProfile.all(for: spec)
        let meanRate = profiles.reduce(0) { $0 + $1.mitosisRate } / 12
        #expect(abs(meanRate - 550.0 / 311.0) < 1e-9)
        let rates = profiles.map(\.mitosisRate).filter { $0 > 0 }
        #expect(rates.max()! > 3 * rates.min()!)

        let total = SmallCohort.images.reduce(0) { $0 + $1.figures.count }
        let perImage = Double(total) / Double(SmallCohort.images.count)
        #expect((1.0...2.8).contains(perImage), "mitoses per image \(perImage)")
    }

    @Test func severalPhasesAppearAndCentresAreInside() {
        let all = SmallCohort.images.flatMap(\.figures)
        #expect(Set(all.map(\.phase)).count >= 3)
        for item in SmallCohort.images {
            for f in item.figures {
                #expect(f.x >= 0 && f.x < item.image.width && f.y >= 0 && f.y < item.image.height)
            }
        }
    }

    @Test func mitosesAreDarkWhereAnnotated() {
        // The annotated centre must sit on (or within a few pixels of) dark chromatin, except for the
        // two-part phases, whose centre is the gap between the halves: check within 20 px.
        for item in SmallCohort.images {
            let dark = Baseline.darkness(item.image)
            for f in item.figures {
                var darkest: Float = 0
                for y in max(f.y - 20, 0)..<min(f.y + 21, item.image.height) {
                    for x in max(f.x - 20, 0)..<min(f.x + 21, item.image.width) {
                        darkest = max(darkest, dark[y * item.image.width + x])
                    }
                }
                #expect(darkest > 150, "\(f.phase) at \(f.x),\(f.y) is not dark (\(darkest))")
            }
        }
    }

    @Test func stainVariesBetweenPatients() {
        let profiles = PatientProfile.all(for: CohortSpec(patients: 12, seed: 3))
        let hx = profiles.map(\.stain.hematoxylin.x), strength = profiles.map(\.stain.eosinStrength)
        #expect(hx.max()! - hx.min()! > 0.03)
        #expect(strength.max()! - strength.min()! > 0.2)
        // And it shows in the pixels: the mean colour of the darkest tenth (nuclei) differs by patient.
        var means: [Float] = []
        for p in [1, 2, 3, 4] {
            let image = SmallCohort.images.first { $0.patient == p }!.image
            let dark = Baseline.darkness(image)
            let cut = dark.sorted()[dark.count * 9 / 10]
            var sum: Float = 0, n: Float = 0
            for i in 0..<dark.count where dark[i] >= cut { sum += Float(image.pixels[i * 3]); n += 1 }
            means.append(sum / n)
        }
        #expect(means.max()! - means.min()! > 5, "dark-pixel red means \(means)")
    }

    @Test func rendersWithBeerLambertAbsorption() {
        // Stain-free tissue is the glass colour; one unit of hematoxylin transmits exp(-OD) of it.
        var rng = SplitMix64(seed: 1)
        let canvas = DensityCanvas(width: 4, height: 1, rng: &rng)
        canvas.h = [0, 1, 0, 1]
        canvas.e = [0, 0, 1, 1]
        var stain = StainProfile.reference
        stain.noise = 0
        let image = Absorption.render(canvas, stain: stain, rng: &rng)
        for c in 0..<3 {
            let white = stain.white[c]
            #expect(abs(Float(image[0, 0, c]) - white.rounded()) <= 1)
            #expect(abs(Float(image[1, 0, c]) - white * _expf(-stain.hematoxylin[c])) <= 1)
            #expect(abs(Float(image[3, 0, c]) - white * _expf(-stain.hematoxylin[c] - stain.eosin[c])) <= 1)
        }
        // Hematoxylin is blue-purple (blue transmitted most), eosin pink (green absorbed most).
        #expect(image[1, 0, 2] > image[1, 0, 0] && image[1, 0, 0] > image[1, 0, 1])
        #expect(image[2, 0, 0] > image[2, 0, 2] && image[2, 0, 2] > image[2, 0, 1])
    }
}
