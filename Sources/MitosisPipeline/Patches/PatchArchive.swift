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
/// Layout (little-endian): magic `MTPATCH2`, UInt32 patch size, UInt32 record count, then per record
/// label (UInt8), index (UInt32), angle (Int16), x (UInt16), y (UInt16), size*size*3 RGB bytes, and last the
/// FNV-1a 64 of every byte before it (UInt64), so an archive damaged after it was written is named, not
/// trained on. A sample-only archive (magic `MTSAMPL2`) has the same records without their pixels: 11 bytes
/// instead of 3,083 per 32x32 patch; its pixels are cut again from the image when read (`ImagePatches`).
/// Archives of earlier versions (`MTPATCH1`, `MTSAMPL1`: no digest) are still read.
public enum PatchArchive {
    static let magic = Array("MTPATCH2".utf8)
    static let sampleMagic = Array("MTSAMPL2".utf8)
    static let earlierMagic = Array("MTPATCH1".utf8)
    static let earlierSampleMagic = Array("MTSAMPL1".utf8)
    static let headerBytes = 11

    /// Writes the patches of one image atomically; without `pixels`, only where each patch was cut.
    public static func write(_ patches: [Patch], size: Int, to path: String, pixels: Bool = true) throws {
        var out = Data(capacity: 24 + patches.count * (headerBytes + (pixels ? size * size * 3 : 0)))
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
        append(FNV1a64.of(out), to: &out)
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
        let again = "HINT: delete it and re-run `mitosis patches` (or the same `mitosis run`), which cuts only the missing archives again."
        var bytes = [UInt8](data)
        let head = bytes.count >= 16 ? Array(bytes[0..<8]) : []
        guard [magic, sampleMagic, earlierMagic, earlierSampleMagic].contains(head) else {
            throw PipelineError.badFile(path: path, reason: "not a mitosis patch archive (bad magic). \(again)")
        }
        let hasPixels = head == magic || head == earlierMagic
        if head == magic || head == sampleMagic {
            guard bytes.count >= 24 else {
                throw PipelineError.badFile(path: path, reason: "truncated patch archive (\(bytes.count) bytes). \(again)")
            }
            let stored = load(UInt64.self, bytes, bytes.count - 8)
            bytes.removeLast(8)
            let found = FNV1a64.of(bytes)
            guard stored == found else {
                throw PipelineError.badFile(path: path, reason: "damaged or truncated patch archive: its contents hash to \(String(found, radix: 16)), not the \(String(stored, radix: 16)) it was written with (changed or cut short after it was written). \(again)")
            }
        }
        let size = Int(load(UInt32.self, bytes, 8)), count = Int(load(UInt32.self, bytes, 12))
        // The header's numbers are untrusted: products that overflow are a damaged file, not a trap.
        let pixelBytes = size.multipliedReportingOverflow(by: size).partialValue.multipliedReportingOverflow(by: 3)
        let recordBytes = headerBytes + (hasPixels ? pixelBytes.partialValue : 0)
        let total = count.multipliedReportingOverflow(by: recordBytes)
        guard size > 0, size <= Int(UInt16.max), !pixelBytes.overflow, !total.overflow, bytes.count == 16 + total.partialValue else {
            throw PipelineError.badFile(path: path, reason: "truncated patch archive (\(bytes.count) bytes for \(count) patches of \(size)x\(size)). \(again)")
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
