// Stain augmentation: identity, the optical-density model, channel order, brightness, seeded draws.
import Foundation
import MitosisSupport
import Testing
@testable import MitosisTraining

@Suite struct StainJitterTests {
    /// One BGR datum (channel-major) holding the given RGB pixels.
    func datum(_ rgb: [(Int, Int, Int)]) -> [UInt8] {
        let n = rgb.count
        var out = [UInt8](repeating: 0, count: 3 * n)
        for (i, p) in rgb.enumerated() { out[i] = UInt8(p.2); out[n + i] = UInt8(p.1); out[2 * n + i] = UInt8(p.0) }
        return out
    }

    func jitter(_ pixels: [UInt8], _ draw: StainJitter.Draw) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { StainJitter().apply(p.baseAddress!, channels: 3, plane: pixels.count / 3, draw: draw, into: $0.baseAddress!) }
        }
        return out
    }

    /// The RGB pixel of `amount` units of a pure stain vector (Beer-Lambert), and its exact value.
    func pure(_ stain: SIMD3<Float>, _ amount: Float) -> (pixel: (Int, Int, Int), exact: SIMD3<Double>) {
        let v = SIMD3<Double>(Double(stain.x), Double(stain.y), Double(stain.z)) * Double(amount)
        let exact = SIMD3(256 * exp(-v.x) - 1, 256 * exp(-v.y) - 1, 256 * exp(-v.z) - 1)
        return ((Int(exact.x.rounded()), Int(exact.y.rounded()), Int(exact.z.rounded())), exact)
    }

    @Test func neutralDrawLeavesEveryGreyLevelUnchanged() {
        var rgb: [(Int, Int, Int)] = []
        var state: UInt64 = 7
        for _ in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            rgb.append((Int(state >> 56), Int((state >> 48) & 255), Int((state >> 40) & 255)))
        }
        rgb += [(0, 0, 0), (255, 255, 255), (255, 0, 128)]
        let pixels = datum(rgb)
        #expect(jitter(pixels, .init()) == pixels)
    }

    @Test func hematoxylinFactorScalesTheOpticalDensityOfAHematoxylinPixel() {
        let h = StainJitter.stains[0], e = StainJitter.stains[1]
        let purple = pure(h, 1.2), pink = pure(e, 0.5)
        let out = jitter(datum([purple.pixel, pink.pixel]), .init(hematoxylin: 1.3))
        // Expected: 1.3 x the density of the pure hematoxylin pixel, i.e. 256 exp(-1.3 * 1.2 h) - 1, in BGR order.
        let darker = pure(h, 1.2 * 1.3).exact
        #expect(abs(Double(out[4]) - darker.x) <= 2.5, "R: \(out[4]) vs \(darker.x)")
        #expect(abs(Double(out[2]) - darker.y) <= 2.5, "G: \(out[2]) vs \(darker.y)")
        #expect(abs(Double(out[0]) - darker.z) <= 2.5, "B: \(out[0]) vs \(darker.z)")
        // The pure eosin pixel does not change with the hematoxylin factor.
        #expect(abs(Int(out[5]) - pink.pixel.0) <= 1 && abs(Int(out[3]) - pink.pixel.1) <= 1 && abs(Int(out[1]) - pink.pixel.2) <= 1)
        // And with the eosin factor, the other way round.
        let e2 = jitter(datum([purple.pixel, pink.pixel]), .init(eosin: 0.6))
        #expect(abs(Int(e2[4]) - purple.pixel.0) <= 1 && abs(Int(e2[2]) - purple.pixel.1) <= 1 && abs(Int(e2[0]) - purple.pixel.2) <= 1)
        let paler = pure(e, 0.5 * 0.6).exact
        #expect(abs(Double(e2[3]) - paler.y) <= 2.5, "eosin G: \(e2[3]) vs \(paler.y)")
    }

    @Test func hueShiftMovesTheStainVector() {
        let h = StainJitter.stains[0]
        let purple = pure(h, 1.0)
        let shift = SIMD3<Float>(0.08, -0.05, 0.02)
        let out = jitter(datum([purple.pixel]), .init(hematoxylinShift: shift))
        let v = SIMD3<Double>(Double(h.x + shift.x), Double(h.y + shift.y), Double(h.z + shift.z))
        let expected = SIMD3(256 * exp(-v.x) - 1, 256 * exp(-v.y) - 1, 256 * exp(-v.z) - 1)
        #expect(abs(Double(out[2]) - expected.x) <= 2.5, "R: \(out[2]) vs \(expected.x)")
        #expect(abs(Double(out[1]) - expected.y) <= 2.5, "G: \(out[1]) vs \(expected.y)")
        #expect(abs(Double(out[0]) - expected.z) <= 2.5, "B: \(out[0]) vs \(expected.z)")
        #expect(Int(out[2]) < purple.pixel.0 - 5, "more red absorbed: \(out[2]) vs \(purple.pixel.0)")
    }

    @Test func brightnessShiftsAndClamps() {
        let out = jitter(datum([(100, 150, 200), (250, 252, 254), (3, 2, 1)]), .init(brightness: 4))
        // BGR planes: B = [200, 254, 1], G = [150, 252, 2], R = [100, 250, 3].
        #expect(Array(out[0..<3]) == [204, 255, 5])
        #expect(Array(out[3..<6]) == [154, 255, 6])
        #expect(Array(out[6..<9]) == [104, 254, 7])
        let down = jitter(datum([(3, 2, 1)]), .init(brightness: -4))
        #expect(down == [0, 0, 0])
    }

    @Test func drawsStayInRangeAndFollowTheSeed() {
        let j = StainJitter(hematoxylin: 0.2, eosin: 0.1, hue: 0.03, brightness: 5)
        var a = SeededRandom(seed: 3, stream: 1), b = SeededRandom(seed: 3, stream: 1), c = SeededRandom(seed: 4, stream: 1)
        let da = (0..<500).map { _ in j.draw(using: &a) }
        #expect(da == (0..<500).map { _ in j.draw(using: &b) })
        #expect(da != (0..<500).map { _ in j.draw(using: &c) })
        #expect(da.allSatisfy { abs($0.hematoxylin - 1) <= 0.2 && abs($0.eosin - 1) <= 0.1 && abs($0.brightness) <= 5 })
        #expect(da.allSatisfy { d in (0..<3).allSatisfy { abs(d.hematoxylinShift[$0]) <= 0.03 && abs(d.eosinShift[$0]) <= 0.03 } })
        #expect(da.map(\.eosinShift.x).max()! > 0.02)
        #expect(da.map(\.hematoxylin).max()! > 1.15 && da.map(\.hematoxylin).min()! < 0.85, "the whole range is used")
    }

    @Test func otherChannelCountsAreCopied() {
        let gray: [UInt8] = [1, 2, 3, 4]
        var out = [UInt8](repeating: 0, count: 4)
        gray.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { StainJitter().apply(p.baseAddress!, channels: 1, plane: 4, draw: .init(hematoxylin: 2), into: $0.baseAddress!) }
        }
        #expect(out == gray)
    }
}
