import Foundation
import MitosisImage
import Testing
@testable import MitosisSynth

@Suite struct DeterminismTests {
    @Test func sameSeedGivesSamePixelsAndCentres() {
        let spec = CohortSpec(patients: 3, imagesPerPatient: 2, width: 192, height: 160, seed: 11)
        let a = SyntheticCohort.generateImage(spec, patient: 2, index: 2)
        let b = SyntheticCohort.generateImage(spec, patient: 2, index: 2)
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.0.width == 192 && a.0.height == 160 && a.0.channels == 3)
    }

    @Test func differentSeedOrImageGivesDifferentPixels() {
        let spec = CohortSpec(patients: 3, imagesPerPatient: 2, width: 128, height: 128, seed: 11)
        var other = spec
        other.seed = 12
        let base = SyntheticCohort.generateImage(spec, patient: 1, index: 1).0
        #expect(base != SyntheticCohort.generateImage(other, patient: 1, index: 1).0)
        #expect(base != SyntheticCohort.generateImage(spec, patient: 1, index: 2).0)
        #expect(base != SyntheticCohort.generateImage(spec, patient: 2, index: 1).0)
    }

    @Test func parallelWriteMatchesSequentialGeneration() throws {
        let spec = CohortSpec(patients: 2, imagesPerPatient: 3, width: 96, height: 80, seed: 5)
        let dir = try TemporaryFolder()
        let summary = try SyntheticCohort.write(spec, to: dir.path)
        for entry in summary.entries {
            let (image, figures) = SyntheticCohort.generateImage(spec, patient: entry.patient, index: entry.index)
            #expect(entry.figures == figures)
            #expect(try ImageIO.read(dir.path + "/" + entry.name + ".tif") == image)
        }
    }

    @Test func generatorStreamsAreReproducible() {
        var a = SplitMix64(seed: 9, 1, 2), b = SplitMix64(seed: 9, 1, 2), c = SplitMix64(seed: 9, 2, 1)
        let xs = (0..<4).map { _ in a.next() }
        #expect(xs == (0..<4).map { _ in b.next() })
        #expect(xs != (0..<4).map { _ in c.next() })
        var d = SplitMix64(seed: 3)
        let units = (0..<1000).map { _ in d.unit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(units.reduce(0, +) / 1000 - 0.5) < 0.05)
    }
}

/// A fresh folder under the system temporary directory, removed when the value is released.
final class TemporaryFolder {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "mitosis-synth-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
