// Float TIFF maps: round trips, special values, errors, and interoperability with Pillow (mode "F").
import Foundation
import MitosisImage
import Testing

/// Runs `python3 -c script args...`; returns the exit status and standard output.
private func python(_ script: String, _ arguments: [String] = []) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return (-1, "") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

private let pillowAvailable = python("import PIL, numpy").status == 0

/// The map both sides compute: v(x, y) = sin(0.37 x) * cos(0.11 y) + y / 1000, as float32.
private func formula(width: Int, height: Int) -> FloatPlane {
    var plane = FloatPlane(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width { plane.values[y * width + x] = Float(sin(0.37 * Double(x)) * cos(0.11 * Double(y)) + Double(y) / 1000) }
    }
    return plane
}

private let formulaPython = "np.sin(0.37 * xx) * np.cos(0.11 * yy) + yy / 1000"

@Suite("Float TIFF maps")
struct FloatTIFFTests {
    @Test("A map survives a round trip bit for bit, extreme values included")
    func roundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var plane = formula(width: 301, height: 77)
        plane.values[0] = 1 - Float.ulpOfOne / 2   // the largest float below 1: a saturated PNG would say 255
        plane.values[1] = .leastNonzeroMagnitude
        plane.values[2] = -0.0
        plane.values[3] = .greatestFiniteMagnitude
        let path = folder + "/m_logodds.tif"
        try FloatTIFF.write(plane, to: path)
        let back = try FloatTIFF.read(path)
        #expect(back.width == 301 && back.height == 77)
        #expect(back.values.map(\.bitPattern) == plane.values.map(\.bitPattern))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "m_logodds.tif" }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test("An 8-bit TIFF or a missing file is refused with the path in the message")
    func refusesOtherTIFFs() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rgb.tif"
        try ImageIO.write(noiseImage(width: 8, height: 8, channels: 3), to: path)
        #expect {
            _ = try FloatTIFF.read(path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("32-bit float")
        }
        #expect(throws: ImageError.self) { _ = try FloatTIFF.read(folder + "/missing.tif") }
        #expect(throws: ImageError.self) { try FloatTIFF.write(FloatPlane(width: 4, height: 4), to: folder + "/no/such/dir/x.tif") }
    }

    @Test("Pillow reads our float maps and we read Pillow's", .enabled(if: pillowAvailable, "needs python3 with Pillow and numpy"))
    func pillowInterop() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ours = folder + "/ours.tif", theirs = folder + "/theirs.tif"
        try FloatTIFF.write(formula(width: 123, height: 45), to: ours)
        let script = """
            import sys, numpy as np
            from PIL import Image
            yy, xx = np.mgrid[0:45, 0:123].astype(np.float64)
            expected = (\(formulaPython)).astype(np.float32)
            got = np.array(Image.open(sys.argv[1]))
            assert got.dtype == np.float32 and got.shape == (45, 123), (got.dtype, got.shape)
            print(int(np.abs(got - expected).max() * 1e7))
            Image.fromarray(expected, mode="F").save(sys.argv[2])
            """
        let result = python(script, [ours, theirs])
        #expect(result.status == 0)
        // float32 of the same double formula: the two libms may differ in the last bit.
        #expect(Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 <= 1 } == true, "max |diff| x 1e7: \(result.output)")
        let back = try FloatTIFF.read(theirs)
        let expected = formula(width: 123, height: 45)
        #expect(back.width == 123 && back.height == 45)
        #expect(zip(back.values, expected.values).allSatisfy { abs($0 - $1) <= 1e-7 })
    }
}
