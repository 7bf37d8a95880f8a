import Foundation
import MitosisImage

/// Golden files written by scripts/fixtures/make_image_fixtures.py (see its docstring for the format).
enum Fixture {
    /// Absolute path of a file in the copied Fixtures resource folder.
    static func path(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// The bytes of a fixture file.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// A `.bin` fixture: header b"MIT1", uint32 LE height, width, channels, dtype; then samples.
    struct Array {
        var height: Int, width: Int, channels: Int
        var bytes: [UInt8] = []
        var floats: [Float] = []
        var image: Image { Image(width: width, height: height, channels: channels, pixels: bytes) }
        var plane: FloatPlane { FloatPlane(width: width, height: height, values: floats) }
    }

    static func bin(_ name: String) throws -> Array {
        let data = try bytes(name)
        precondition(data.count >= 20 && data.starts(with: Swift.Array("MIT1".utf8)), "\(name) is not a MIT1 file")
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(data[at + $1]) << (8 * $1) } }
        var array = Array(height: u32(4), width: u32(8), channels: u32(12))
        let count = array.height * array.width * array.channels
        if u32(16) == 0 {
            array.bytes = Swift.Array(data[20..<20 + count])
        } else {
            array.floats = (0..<count).map { i in Float(bitPattern: UInt32(u32(20 + 4 * i))) }
        }
        return array
    }

    /// A scalar from golden.json.
    static func golden(_ key: String) throws -> Double {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("golden.json"))))
        return ((object as! [String: Any])[key] as! NSNumber).doubleValue
    }
}

/// A fresh empty folder under the system temporary directory.
func temporaryFolder() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-image-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// Largest absolute difference between two equally long sample arrays.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { Swift.max($0, abs(Int($1.0) - Int($1.1))) }
}

/// A deterministic pseudo-random image (xorshift), for round trips and symmetry tests.
func noiseImage(width: Int, height: Int, channels: Int, seed: UInt64 = 1) -> Image {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    let pixels = (0..<width * height * channels).map { _ -> UInt8 in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 24)
    }
    return Image(width: width, height: height, channels: channels, pixels: pixels)
}
