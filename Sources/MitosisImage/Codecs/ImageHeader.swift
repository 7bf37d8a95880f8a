import Foundation

/// Image sizes from file headers (PNG IHDR, JPEG SOF, classic TIFF first IFD) without decoding the pixels;
/// anything else (BigTIFF, unusual files) is decoded to be sure, so a broken file gets the decoder's error.
public enum ImageHeader {
    public static func size(of path: String) throws -> (width: Int, height: Int) {
        if let s = headerSize(path), s.width > 0, s.height > 0 { return s }
        let image = try ImageIO.read(path)
        return (image.width, image.height)
    }

    public static func headerSize(_ path: String) -> (width: Int, height: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        func bytes(at offset: UInt64, _ count: Int) -> [UInt8] {
            guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count) else { return [] }
            return [UInt8](data)
        }
        let head = bytes(at: 0, 32)
        guard head.count >= 8 else { return nil }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            guard head.count >= 24, Array(head[12..<16]) == Array("IHDR".utf8) else { return nil }
            return (Int(be(head[16..<20])), Int(be(head[20..<24])))
        }
        if head[0] == 0xFF, head[1] == 0xD8 { return jpeg(bytes) }
        if (head[0] == 0x49 && head[1] == 0x49) || (head[0] == 0x4D && head[1] == 0x4D) { return tiff(head, bytes) }
        return nil
    }

    /// The first start-of-frame marker's size.
    private static func jpeg(_ bytes: (UInt64, Int) -> [UInt8]) -> (width: Int, height: Int)? {
        var position: UInt64 = 2
        for _ in 0..<10_000 {
            let m = bytes(position, 4)
            guard m.count == 4, m[0] == 0xFF else { return nil }
            let marker = m[1]
            if marker == 0xFF { position += 1; continue }
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { position += 2; continue }
            if marker == 0xD9 || marker == 0xDA { return nil }
            let length = UInt64(m[2]) << 8 | UInt64(m[3])
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                let sof = bytes(position + 4, 5)
                guard sof.count == 5 else { return nil }
                return (Int(be(sof[3..<5])), Int(be(sof[1..<3])))
            }
            guard length >= 2 else { return nil }
            position += 2 + length
        }
        return nil
    }

    /// ImageWidth (256) and ImageLength (257) of the first IFD of a classic (not Big) TIFF.
    private static func tiff(_ head: [UInt8], _ bytes: (UInt64, Int) -> [UInt8]) -> (width: Int, height: Int)? {
        let little = head[0] == 0x49
        func value(_ b: ArraySlice<UInt8>) -> UInt64 { little ? le(b) : be(b) }
        guard value(head[2..<4]) == 42 else { return nil }
        let ifd = value(head[4..<8])
        let countBytes = bytes(ifd, 2)
        guard countBytes.count == 2 else { return nil }
        let n = Int(value(countBytes[0..<2]))
        let entries = bytes(ifd + 2, n * 12)
        guard entries.count == n * 12 else { return nil }
        var width: Int?, height: Int?
        for k in 0..<n {
            let e = entries[(k * 12)..<(k * 12 + 12)], base = e.startIndex
            let tag = value(e[base..<(base + 2)]), type = value(e[(base + 2)..<(base + 4)])
            let v: UInt64?
            switch type {
            case 3: v = value(e[(base + 8)..<(base + 10)])
            case 4: v = value(e[(base + 8)..<(base + 12)])
            default: v = nil
            }
            if tag == 256 { width = v.map(Int.init) }
            if tag == 257 { height = v.map(Int.init) }
        }
        guard let width, let height else { return nil }
        return (width, height)
    }

    private static func be(_ b: ArraySlice<UInt8>) -> UInt64 { b.reduce(0) { $0 << 8 | UInt64($1) } }
    private static func le(_ b: ArraySlice<UInt8>) -> UInt64 { b.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
}
