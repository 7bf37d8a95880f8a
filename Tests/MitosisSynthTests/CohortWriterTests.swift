import Foundation
import MitosisData
import MitosisImage
import Testing
@testable import MitosisSynth

@Suite struct CohortWriterTests {
    static let spec = CohortSpec(patients: 3, imagesPerPatient: 2, width: 160, height: 128, seed: 77,
                                 mitosesPerImage: 3)

    @Test func writesTutorialLayout() throws {
        let dir = try TemporaryFolder()
        let summary = try SyntheticCohort.write(Self.spec, to: dir.path)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        var expected = Set<String>()
        for p in ["01", "02", "03"] {
            for i in ["01", "02"] { expected.formUnion(["\(p)_\(i).tif", "\(p)_\(i).csv", "\(p)_\(i)_pc.png"]) }
        }
        #expect(files == expected)
        #expect(summary.entries.map(\.name) == ["01_01", "01_02", "02_01", "02_02", "03_01", "03_02"])
        let dataset = try Dataset.discover(at: dir.path)
        #expect(dataset.patients == ["01", "02", "03"])
        #expect(dataset.images.allSatisfy { $0.csvPath != nil && $0.pcPath != nil })
    }

    @Test func candidateMasksAreTheBlueRatioMasksOfTheWrittenImages() throws {
        let dir = try TemporaryFolder()
        let summary = try SyntheticCohort.write(Self.spec, to: dir.path, candidateMasks: true)
        for entry in summary.entries {
            let base = dir.path + "/" + entry.name
            let mask = try ImageIO.read(base + "_cmask.png")
            #expect(mask == Image(mask: HelperMasks.candidateMask(for: try ImageIO.read(base + ".tif"))))
        }
        #expect(try Dataset.discover(at: dir.path).images.allSatisfy { $0.cmaskPath != nil })
    }

    @Test func aFinishedCohortIsReusedAnInterruptedOneRewrittenAnotherRefused() throws {
        let dir = try TemporaryFolder()
        let folder = dir.path + "/cohort"
        let first = try SyntheticCohort.writeUnlessDone(Self.spec, to: folder, candidateMasks: false)
        #expect(first?.entries.count == 6)
        let tif = folder + "/01_01.tif"
        let written = try Data(contentsOf: URL(fileURLWithPath: tif))
        #expect(try SyntheticCohort.writeUnlessDone(Self.spec, to: folder, candidateMasks: false) == nil)

        // Interrupted: no marker, one image missing. Written again, byte for byte.
        try FileManager.default.removeItem(atPath: folder + "/.complete")
        try FileManager.default.removeItem(atPath: tif)
        #expect(try SyntheticCohort.writeUnlessDone(Self.spec, to: folder, candidateMasks: false) != nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: tif)) == written)

        // Other settings, a finished cohort: refused, nothing touched.
        var other = Self.spec
        other.seed += 1
        #expect(throws: SynthError.self) { try SyntheticCohort.writeUnlessDone(other, to: folder, candidateMasks: false) }
        #expect(throws: SynthError.self) { try SyntheticCohort.writeUnlessDone(Self.spec, to: folder, candidateMasks: true) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: tif)) == written)

        // An interrupted cohort with images a smaller spec would not write: refused, not mixed.
        try FileManager.default.removeItem(atPath: folder + "/.complete")
        var smaller = Self.spec
        smaller.patients = 2
        #expect(throws: SynthError.self) { try SyntheticCohort.writeUnlessDone(smaller, to: folder, candidateMasks: false) }
        #expect(FileManager.default.fileExists(atPath: folder + "/03_01.tif"))
    }

    @Test func csvHoldsIntegerCentresInsideTheImage() throws {
        let dir = try TemporaryFolder()
        let summary = try SyntheticCohort.write(Self.spec, to: dir.path)
        #expect(summary.mitosisCount > 0)
        for entry in summary.entries {
            let text = try String(contentsOfFile: dir.path + "/" + entry.name + ".csv", encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == entry.figures.count)
            for (line, figure) in zip(lines, entry.figures) {
                #expect(line == "\(figure.x),\(figure.y)")
                #expect((0..<Self.spec.width).contains(figure.x) && (0..<Self.spec.height).contains(figure.y))
            }
            let parsed = try CentreCSV.parse(text, file: entry.name, imageSize: (Self.spec.width, Self.spec.height))
            #expect(parsed.map { Int($0.x) } == entry.figures.map(\.x))
        }
    }

    @Test func helperMaskHasDisksAtTheCentres() throws {
        let dir = try TemporaryFolder()
        let summary = try SyntheticCohort.write(Self.spec, to: dir.path)
        for entry in summary.entries {
            let mask = try ImageIO.read(dir.path + "/" + entry.name + "_pc.png")
            #expect(mask.channels == 1 && mask.width == Self.spec.width && mask.height == Self.spec.height)
            #expect(Set(mask.pixels).isSubset(of: [0, 255]))
            // Recompute the expected disk union independently and compare pixel by pixel.
            var expected = 0, mismatches = 0
            for y in 0..<mask.height {
                for x in 0..<mask.width {
                    let inside = entry.figures.contains { ($0.x - x) * ($0.x - x) + ($0.y - y) * ($0.y - y) <= 64 }
                    if inside { expected += 1 }
                    if (mask[x, y, 0] == 255) != inside { mismatches += 1 }
                }
            }
            #expect(mismatches == 0)
            if !entry.figures.isEmpty { #expect(expected >= 150) }  // a full radius-8 disk is 197 px
        }
    }

    @Test func writesRGBTIFF() throws {
        let dir = try TemporaryFolder()
        try SyntheticCohort.write(Self.spec, to: dir.path)
        let image = try ImageIO.read(dir.path + "/02_01.tif")
        #expect(image.channels == 3 && image.width == 160 && image.height == 128)
    }

    @Test func namesArePaddedAndOneBased() {
        let spec = CohortSpec(patients: 12, imagesPerPatient: 40)
        #expect(spec.imageName(patient: 1, index: 1) == "01_01")
        #expect(spec.imageName(patient: 12, index: 40) == "12_40")
        #expect(CohortSpec(patients: 120, imagesPerPatient: 3).imageName(patient: 7, index: 3) == "007_03")
    }

    @Test func oneInTenPatientsIsMitosisFreeUnlessAsked() {
        #expect(CohortSpec(patients: 12).mitosisFreePatients == [10])
        #expect(CohortSpec(patients: 10).mitosisFreePatients == [10])
        #expect(CohortSpec(patients: 25).mitosisFreePatients == [10, 20])
        #expect(CohortSpec(patients: 6).mitosisFreePatients == [])
        #expect(CohortSpec(patients: 1).mitosisFreePatients == [])
        #expect(CohortSpec(patients: 6, mitosisFreePatients: [6, 2, 2, 9]).mitosisFreePatients == [2, 6])
        #expect(CohortSpec(patients: 12, mitosisFreePatients: []).mitosisFreePatients == [])
    }

    /// The case: `synth --patients 6 --seed 3` left patients 01, 04 and 06 without a mitosis, so
    /// `run` refused 5 folds. Now only the requested patients (none by default) go without.
    @Test func smallCohortsGiveEveryPatientAMitosis() {
        for seed: UInt64 in 1...8 {
            for (patients, images) in [(6, 1), (6, 2), (8, 1), (4, 1)] {
                let spec = CohortSpec(patients: patients, imagesPerPatient: images, width: 64, height: 64, seed: seed)
                let profiles = PatientProfile.all(for: spec)
                for p in 1...patients {
                    let counts = (1...images).map { i in
                        var rng = SyntheticCohort.planStream(spec, patient: p, index: i)
                        let drawn = rng.poisson(profiles[p - 1].mitosisRate)
                        return profiles[p - 1].guaranteedImage == i ? max(1, drawn) : drawn
                    }
                    #expect(counts.reduce(0, +) >= 1, "seed \(seed), \(patients)x\(images): patient \(p) has no mitosis")
                }
            }
        }
        // Rendered, not only planned: the six 1-image patients of the seed all hold a figure.
        let spec = CohortSpec(patients: 6, imagesPerPatient: 1, width: 256, height: 256, seed: 3)
        let figures = (1...6).map { SyntheticCohort.generateImage(spec, patient: $0, index: 1).1.count }
        #expect(figures.allSatisfy { $0 >= 1 }, "\(figures)")
        // Asked-for mitosis-free patients stay free.
        let asked = CohortSpec(patients: 6, imagesPerPatient: 1, width: 256, height: 256, seed: 3, mitosisFreePatients: [4])
        #expect(SyntheticCohort.generateImage(asked, patient: 4, index: 1).1.isEmpty)
    }

    @Test func theGuaranteeLeavesPatientsThatDrewAMitosisAlone() {
        // 12 patients x 4 images (the tutorial-like default): no patient draws zero on all four images
        // with this seed, so no image is forced and the cohort is the one earlier versions wrote.
        let profiles = PatientProfile.all(for: CohortSpec(patients: 12, imagesPerPatient: 4, seed: 1))
        #expect(profiles.allSatisfy { $0.guaranteedImage == nil })
        // The demo's cohort (12 x 2 images of 1000x1000, seed 1) had a second patient without mitoses; only
        // that patient changes.
        let demo = PatientProfile.all(for: CohortSpec(patients: 12, imagesPerPatient: 2, width: 1000, height: 1000, seed: 1))
        let forced = demo.indices.filter { demo[$0].guaranteedImage != nil }.map { $0 + 1 }
        #expect(forced.count == 1 && forced != [10], "\(forced)")
    }
}
