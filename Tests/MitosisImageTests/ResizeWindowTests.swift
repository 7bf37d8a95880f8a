import Testing
@testable import MitosisImage

/// A window of the MATLAB resize equals the same window of the whole image's resize, bit for bit: what
/// lets a whole slide be resized tile by tile (`SlideMapper.workingRegion`).
@Suite struct ResizeWindowTests {
    static func pattern(_ w: Int, _ h: Int) -> Image {
        var g = UInt64(12345)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for i in pixels.indices {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            let smooth = (i / 3 % w) * 3 + (i / 3 / w) * 2
            pixels[i] = UInt8(truncatingIfNeeded: smooth + Int(g >> 60))
        }
        return Image(width: w, height: h, channels: 3, pixels: pixels)
    }

    @Test(arguments: [0.5, 0.4546, 0.9, 0.25, 1.5])
    func windowsEqualTheWholeResize(scale: Double) throws {
        let image = Self.pattern(97, 83)
        let whole = try image.resized(scale: scale)
        // Windows at the corners, in the middle, one pixel wide, and the whole.
        let windows: [(Range<Int>, Range<Int>)] = [
            (0..<7, 0..<5), (whole.width - 6..<whole.width, whole.height - 4..<whole.height),
            (10..<23, 8..<19), (whole.width / 2..<whole.width / 2 + 1, 3..<4), (0..<whole.width, 0..<whole.height),
        ]
        for (cols, rows) in windows {
            let ix = ResizeWindow.inputRange(outputs: cols, inputLength: image.width, scale: scale)
            let iy = ResizeWindow.inputRange(outputs: rows, inputLength: image.height, scale: scale)
            let input = try image.cropped(x: ix.lowerBound, y: iy.lowerBound, width: ix.count, height: iy.count)
            let part = try ResizeWindow.resized(input, origin: (ix.lowerBound, iy.lowerBound), wholeWidth: image.width,
                                                wholeHeight: image.height, scale: scale, rows: rows, columns: cols)
            let expected = try whole.cropped(x: cols.lowerBound, y: rows.lowerBound, width: cols.count, height: rows.count)
            #expect(part == expected, "scale \(scale), columns \(cols), rows \(rows)")
        }
    }

    @Test func aWindowTooSmallIsRefused() throws {
        let image = Self.pattern(40, 40)
        let ix = ResizeWindow.inputRange(outputs: 5..<10, inputLength: 40, scale: 0.5)
        let short = try image.cropped(x: ix.lowerBound + 1, y: 0, width: ix.count - 1, height: 40)
        #expect(throws: ImageError.self) {
            _ = try ResizeWindow.resized(short, origin: (ix.lowerBound + 1, 0), wholeWidth: 40, wholeHeight: 40, scale: 0.5,
                                         rows: 0..<20, columns: 5..<10)
        }
    }

    @Test func inputRangeOfHalvingCoversTheKernel() {
        // At 1/2, output k reads inputs around 2k + 0.5 with a support of 8: about 2k - 3 ... 2k + 4.
        let r = ResizeWindow.inputRange(outputs: 10..<11, inputLength: 100, scale: 0.5)
        #expect(r.lowerBound <= 17 && r.upperBound >= 24 && r.count <= 10)
        #expect(ResizeWindow.outputLength(1663, scale: 0.4546) == 756)  // the real cohort's 756x676 maps
    }
}
