import Foundation
import MitosisCaffe
import Testing

/// Inputs scripts/fuzz.sh found that trapped a reader (kept in Fuzz/regressions/TARGET and replayed as seeds
/// by every fuzz run). Each must now be a named error.
@Suite struct FuzzRegressionTests {
    static func inputs(_ target: String) throws -> [String] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/" + target).path
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
    }

    /// A Datum whose height and width are both negative (their product matched its bytes) trapped in `Image`.
    @Test func datumWithNegativeSizesIsABadDatum() throws {
        let files = try Self.inputs("datum")
        #expect(!files.isEmpty)
        for path in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(throws: CaffeFormatError.self) { _ = try Datum(serializedBytes: bytes).image() }
        }
        // The same by construction, and a size whose product overflows.
        #expect(throws: CaffeFormatError.self) { try Datum(channels: 1, height: -2, width: -3, data: [UInt8](repeating: 0, count: 6), label: 0).image() }
        #expect(throws: CaffeFormatError.self) { try Datum(channels: 3, height: Int(Int32.max), width: Int(Int32.max), data: [], label: 0).image() }
    }

    /// A mean file whose blob shape multiplies past Int.max trapped in the value count check.
    @Test func meanImageWithOverflowingShapeIsNamed() throws {
        let files = try Self.inputs("binaryproto")
        #expect(!files.isEmpty)
        for path in files {
            #expect { try MeanImage.read(contentsOf: URL(fileURLWithPath: path)) } throws: { "\($0)".contains(path) }
        }
    }
}
