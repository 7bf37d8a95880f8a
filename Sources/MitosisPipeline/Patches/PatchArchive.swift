import Foundation
import MitosisData
import MitosisSupport

/// One training patch cut by step 1 (or step 6): RGB pixels plus where it came from.
public struct Patch: Sendable, Equatable {
    /// 1 = mitosis, 0 = not mitosis.
    public var label: UInt8
    /// The patch number within its image and class, 1-based as in the tutorial's file names.
    public var index: UInt32
    /// Rotation in degrees.
    public var angle: Int16
    /// Centre pixel at the working (20x) resolution, in the unpadded image.
    public var x: UInt16
    public var y: UInt16
    /// `size * size * 3` RGB samples, row-major.
    public var pixels: [UInt8]

    public init(label: UInt8, index: UInt32, angle: Int16, x: UInt16, y: UInt16, pixels: [UInt8]) {
        self.label = label; self.index = index; self.angle = angle; self.x = x; self.y = y; self.pixels = pixels
    }

    /// The tutorial's patch file name, `PP_II_<class>_<p|n>_<k>_<angle>.png`.
    public func fileName(image: String) -> String {
        "\(image)_\(label)_\(label == 1 ? "p" : "n")_\(index)_\(angle).png"
    }
}

/// The patch store: one binary file per image holding all of its patches, instead of the tutorial's
/// one PNG per patch (100,000+ small files).
///
/// Layout (little-endian): magic `MTPATCH1`, UInt32 patch size, UInt32 record count, then per record
/// label (UInt8), index (UInt32), angle (Int16), x (UInt16), y (UInt16), size*size*3 RGB bytes.
/// A sample-only archive (magic `MTSAMPL1`) has the same records without their pixels: 11 bytes instead of
/// 3,083 per 32x32 patch; its pixels are cut again from the image when read (`ImagePatches`).
public enum PatchArchive {
    static let magic = Array("MTPATCH1".utf8)
    static let sampleMagic = Array("MTSAMPL1".utf8)
    static let headerBytes = 11

    /// Writes the patches of one image atomically; without `pixels`, only where each patch was cut.
    public static func write(_ patches: [Patch], size: Int, to path: String, pixels: Bool = true) throws {
        var out = Data(capacity: 16 + patches.count * (headerBytes + (pixels ? size * size * 3 : 0)))
        out.append(contentsOf: pixels ? magic : sampleMagic)
        append(UInt32(size), to: &out)
        append(UInt32(patches.count), to: &out)
        for p in patches {
            precondition(!pixels || p.pixels.count == size * size * 3, "patch pixel count does not match its size")
            out.append(p.label)
            append(p.index, to: &out)
            append(UInt16(bitPattern: p.angle), to: &out)
            append(p.x, to: &out)
            append(p.y, to: &out)
            if pixels { out.append(contentsOf: p.pixels) }
        }
        try AtomicFile.write(out, to: path)
    }

    /// Reads the patches of one image. Returns the patch size and the records (with empty pixels when the
    /// archive is sample-only; `ImagePatches` cuts them).
    public static func read(_ path: String) throws -> (size: Int, patches: [Patch]) {
        let (size, patches, _) = try readRecords(path)
        return (size, patches)
    }

    /// Reads the patches of one image, and whether the archive holds their pixels.
    public static func readRecords(_ path: String) throws -> (size: Int, patches: [Patch], hasPixels: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.missingInput(path: path, hint: "run `mitosis patches` first")
        }
        let bytes = [UInt8](data)
        let head = bytes.count >= 16 ? Array(bytes[0..<8]) : []
        guard head == magic || head == sampleMagic else {
            throw PipelineError.badFile(path: path, reason: "not a mitosis patch archive (bad magic). HINT: delete it and re-run `mitosis patches`.")
        }
        let hasPixels = head == magic
        let size = Int(load(UInt32.self, bytes, 8)), count = Int(load(UInt32.self, bytes, 12))
        let recordBytes = headerBytes + (hasPixels ? size * size * 3 : 0)
        guard size > 0, bytes.count == 16 + count * recordBytes else {
            throw PipelineError.badFile(path: path, reason: "truncated patch archive (\(bytes.count) bytes for \(count) patches of \(size)x\(size)). HINT: delete it and re-run `mitosis patches`.")
        }
        var patches: [Patch] = []
        patches.reserveCapacity(count)
        var o = 16
        for _ in 0..<count {
            patches.append(Patch(
                label: bytes[o], index: load(UInt32.self, bytes, o + 1),
                angle: Int16(bitPattern: load(UInt16.self, bytes, o + 5)),
                x: load(UInt16.self, bytes, o + 7), y: load(UInt16.self, bytes, o + 9),
                pixels: hasPixels ? Array(bytes[(o + headerBytes)..<(o + recordBytes)]) : []))
            o += recordBytes
        }
        return (size, patches, hasPixels)
    }

    private static func append<T: FixedWidthInteger>(_ v: T, to data: inout Data) {
        withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(bytes[offset + i]) << (8 * i) }
        return v
    }
}
