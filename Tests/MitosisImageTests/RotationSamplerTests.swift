import Testing
import MitosisImage

/// `RotationSampler` (step 1's table-driven patch rotation) against the direct route it replaces:
/// crop the window, `rotated(degrees:interpolation:)`, crop the centre.
@Suite struct RotationSamplerTests {
    /// 90x70 RGB noise from a fixed linear congruential sequence (every sample differs from its neighbours).
    static let image: Image = {
        var state: UInt32 = 12345
        let pixels = (0..<(90 * 70 * 3)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        return Image(width: 90, height: 70, channels: 3, pixels: pixels)
    }()

    func direct(_ image: Image, left: Int, top: Int, window: Int, output: Int, degrees: Double,
                interpolation: Interpolation) throws -> [UInt8] {
        let turned = try image.cropped(x: left, y: top, width: window, height: window)
            .rotated(degrees: degrees, interpolation: interpolation)
        let inset = (window - output) / 2
        return try turned.cropped(x: inset, y: inset, width: output, height: output).pixels
    }

    @Test(arguments: [Interpolation.nearest, .bilinear])
    func matchesRotateThenCropAtEveryAngle(interpolation: Interpolation) throws {
        for degrees in stride(from: -90.0, through: 360.0, by: 7.5) {
            let sampler = RotationSampler(degrees: degrees, windowSize: 64, outputSize: 32,
                                          interpolation: interpolation, rowStride: 90, channels: 3)
            for (left, top) in [(0, 0), (26, 6), (13, 3)] {
                let got = sampler.sample(Self.image, left: left, top: top)
                let want = try direct(Self.image, left: left, top: top, window: 64, output: 32,
                                      degrees: degrees, interpolation: interpolation)
                #expect(got == want, "\(degrees) degrees at (\(left), \(top))")
            }
        }
    }

    /// A kept square as large as the window reaches the zero fill at oblique angles: it must be zero there.
    @Test(arguments: [Interpolation.nearest, .bilinear])
    func fullWindowKeepsMatlabsZeroFill(interpolation: Interpolation) throws {
        let gray = Image(width: 20, height: 20, channels: 1, pixels: [UInt8](repeating: 200, count: 400))
        let sampler = RotationSampler(degrees: 45, windowSize: 20, outputSize: 20, interpolation: interpolation,
                                      rowStride: 20, channels: 1)
        let got = sampler.sample(gray, left: 0, top: 0)
        #expect(got == gray.rotated(degrees: 45, interpolation: interpolation).pixels)
        #expect(got[0] == 0 && got[10 * 20 + 10] == 200)
    }
}
