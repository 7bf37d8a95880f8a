import Foundation
import MitosisImage
import Testing
@testable import MitosisPipeline

@Suite struct PatchExtractorTests {
    /// A 48x40 RGB image whose every pixel is distinct: R = x, G = y, B = (x * 7 + y * 13) % 256.
    static let image: Image = {
        var img = Image(width: 48, height: 40, channels: 3)
        for y in 0..<40 { for x in 0..<48 {
            img[x, y, 0] = UInt8(x); img[x, y, 1] = UInt8(y); img[x, y, 2] = UInt8((x * 7 + y * 13) % 256)
        } }
        return img
    }()

    /// MATLAB / numpy `symmetric` reflection of an index (edge pixel repeated).
    func reflect(_ k: Int, _ n: Int) -> Int { k < 0 ? -k - 1 : (k >= n ? 2 * n - k - 1 : k) }

    func options(_ configure: (inout PatchOptions) -> Void = { _ in }) -> PatchOptions {
        var o = PatchOptions()
        configure(&o)
        return o
    }

    func pixel(_ patch: [UInt8], _ i: Int, _ j: Int, size: Int = 32) -> [UInt8] {
        Array(patch[((i * size + j) * 3)..<((i * size + j) * 3 + 3)])
    }

    @Test(arguments: [(20, 17), (0, 0), (47, 39), (3, 38)])
    func unrotatedPatchIsTheMirroredWindowWithThePixelAtOffset16(x: Int, y: Int) {
        let ex = PatchExtractor(options: options())
        let padded = Self.image.paddedSymmetric(by: 32)
        let patch = ex.patch(at: x, y, angle: 0, padded: padded)
        #expect(patch.count == 32 * 32 * 3)
        for i in 0..<32 { for j in 0..<32 {
            let sy = reflect(y - 16 + i, 40), sx = reflect(x - 16 + j, 48)
            let expected: [UInt8] = [UInt8(sx), UInt8(sy), UInt8((sx * 7 + sy * 13) % 256)]
            #expect(pixel(patch, i, j) == expected)
        } }
        #expect(pixel(patch, 16, 16)[0] == UInt8(x) && pixel(patch, 16, 16)[1] == UInt8(y))
        #expect(ex.fitsWindow(x: x, y: y, imageWidth: 48, imageHeight: 40))
    }

    @Test(arguments: [90, 180, 270])
    func quarterTurnsAreArrayRotationsCounterClockwise(angle: Int) {
        let ex = PatchExtractor(options: options())
        let padded = Self.image.paddedSymmetric(by: 32)
        let p0 = ex.patch(at: 21, 19, angle: 0, padded: padded)
        let pr = ex.patch(at: 21, 19, angle: angle, padded: padded)
        for i in 0..<32 { for j in 0..<32 {
            // Counter-clockwise by 90: out(i, j) = in(j, 31 - i).
            let (si, sj) = angle == 90 ? (j, 31 - i) : angle == 180 ? (31 - i, 31 - j) : (31 - j, i)
            #expect(pixel(pr, i, j) == pixel(p0, si, sj))
        } }
    }

    @Test(arguments: [45, 135, 215])
    func obliqueAnglesSampleTheNearestSourcePixel(angle: Int) {
        let ex = PatchExtractor(options: options())
        let padded = Self.image.paddedSymmetric(by: 32)
        let (x, y) = (24, 20)
        let patch = ex.patch(at: x, y, angle: angle, padded: padded)
        let t = Double(angle) * .pi / 180, c = 31.5
        var mismatches = 0
        for i in 0..<32 { for j in 0..<32 {
            // Window coordinates of output (row i+16, column j+16); inverse rotation about the window centre.
            let dx = Double(j + 16) - c, dy = Double(i + 16) - c
            let fx = cos(t) * dx - sin(t) * dy + c, fy = sin(t) * dx + cos(t) * dy + c
            // A source coordinate on a .5 tie rounds either way depending on floating-point noise: skip it.
            if abs(fx - fx.rounded(.down) - 0.5) < 1e-6 || abs(fy - fy.rounded(.down) - 0.5) < 1e-6 { continue }
            let sx = Int(fx.rounded()), sy = Int(fy.rounded())
            let px = reflect(x - 32 + sx, 48), py = reflect(y - 32 + sy, 40)
            let expected: [UInt8] = [UInt8(px), UInt8(py), UInt8((px * 7 + py * 13) % 256)]
            if pixel(patch, i, j) != expected { mismatches += 1 }
        } }
        #expect(mismatches == 0)
    }

    func inputs(positives: [(Int, Int)]) -> PatchExtractor.Inputs {
        var pos = Mask(width: 48, height: 40)
        for (x, y) in positives { pos[x, y] = true }
        return .init(image: Self.image, positives: pos, candidates: Mask(width: 48, height: 40, fill: true))
    }

    @Test func classCountsAngleListsAndExclusionZone() {
        let ex = PatchExtractor(options: options { $0.negativeRatio = 2.5 })
        let patches = ex.extract(inputs(positives: [(10, 10), (11, 10), (30, 25)]), stream: 1)
        let pos = patches.filter { $0.label == 1 }, neg = patches.filter { $0.label == 0 }
        #expect(pos.count == 3 * 8)
        #expect(neg.count == 8 * 4)  // round(2.5 * 3) = 8 pixels at 4 angles
        #expect(Set(pos.map(\.angle)) == [0, 45, 90, 135, 180, 225, 270, 315])
        #expect(Set(neg.map(\.angle)) == [0, 90, 180, 270])
        for n in neg {
            let nearest = [(10, 10), (11, 10), (30, 25)].map { max(abs(Int(n.x) - $0.0), abs(Int(n.y) - $0.1)) }.min()!
            #expect(nearest > 10, "negative at (\(n.x), \(n.y)) is inside the 10x dilated ground truth")
        }
        // Negatives are distinct pixels (drawn without replacement), numbered 1...8.
        #expect(Set(neg.map { "\($0.x),\($0.y)" }).count == 8)
        #expect(Set(neg.map(\.index)) == Set(1...8))
    }

    @Test func negativesOnlyFromCandidates() {
        var inp = inputs(positives: [(5, 5)])
        inp.candidates = Mask(width: 48, height: 40)
        for x in 30..<33 { inp.candidates[x, 30] = true }  // 3 candidates, 3 wanted (round(2.5))
        let neg = PatchExtractor(options: options()).extract(inp, stream: 2).filter { $0.label == 0 }
        #expect(Set(neg.map { "\($0.x),\($0.y)" }) == ["30,30", "31,30", "32,30"])
    }

    @Test func seededAndDeterministic() {
        let inp = inputs(positives: [(20, 20)])
        let a = PatchExtractor(options: options { $0.seed = 4 }).extract(inp, stream: 9)
        let b = PatchExtractor(options: options { $0.seed = 4 }).extract(inp, stream: 9)
        let c = PatchExtractor(options: options { $0.seed = 5 }).extract(inp, stream: 9)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func tutorialAnglesAreTheAuthorsList() {
        #expect(PatchOptions.tutorialPositiveAngles == [0, 45, 90, 135, 180, 215, 270])
    }
}
