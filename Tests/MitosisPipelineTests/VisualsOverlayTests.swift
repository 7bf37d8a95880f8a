import MitosisImage
import Testing
@testable import MitosisPipeline
import MitosisVisuals

@Suite struct VisualsOverlayTests {
    /// Whether a colour within `tolerance` (per channel) of `color` appears within `slack` pixels of
    /// continuous position (x, y). Ring edges are anti-aliased, so exact equality is too strict.
    func found(_ color: RGBColor, near x: Double, _ y: Double, in image: Image, slack: Int = 1, tolerance: Int = 48) -> Bool {
        let canvas = Canvas(image)
        for yy in (Int(y) - slack)...(Int(y) + slack) where yy >= 0 && yy < image.height {
            for xx in (Int(x) - slack)...(Int(x) + slack) where xx >= 0 && xx < image.width {
                let c = canvas.color(x: xx, y: yy)
                if abs(Int(c.r) - Int(color.r)) <= tolerance && abs(Int(c.g) - Int(color.g)) <= tolerance
                    && abs(Int(c.b) - Int(color.b)) <= tolerance { return true }
            }
        }
        return false
    }

    @Test(arguments: [1.0, 0.5, 0.25])
    func tpFpFnRingsInTheirColoursAtEveryScale(scale: Double) {
        let style = OverlayStyle(radius: 40, minimumRadius: 2, thickness: 3)
        let truth = [Point(x: 200, y: 200), Point(x: 600, y: 600)]           // second is missed
        let detections = [Point(x: 210, y: 200), Point(x: 600, y: 200)]      // first matches, second is false
        let side = Int(800 * scale)
        let base = Image(width: side, height: side, channels: 3, fill: 0)
        let out = Overlay.draw(on: base, truth: truth, detections: detections, scale: scale, style: style)
        #expect(out.width == side)
        let r = style.radius * scale, rt = style.radius * style.truthRadiusFactor * scale
        func at(_ p: Point, dx: Double, dy: Double) -> (Double, Double) {
            ((p.x + 0.5) * scale + dx, (p.y + 0.5) * scale + dy)
        }
        // Rightmost point of each ring (tests the left side for the TP to stay clear of the white ring).
        let tp = at(detections[0], dx: 0, dy: -r), fp = at(detections[1], dx: r, dy: 0)
        let fn = at(truth[1], dx: rt, dy: 0), matched = at(truth[0], dx: 0, dy: rt)
        // (Booleans first: a failing #expect would print the whole image.)
        let tpOK = found(style.truePositive, near: tp.0, tp.1, in: out)
        let fpOK = found(style.falsePositive, near: fp.0, fp.1, in: out)
        let fnOK = found(style.falseNegative, near: fn.0, fn.1, in: out)
        let matchedOK = found(style.matchedTruth, near: matched.0, matched.1, in: out)
        #expect(tpOK, "no true-positive ring at \(tp)")
        #expect(fpOK, "no false-positive ring at \(fp)")
        #expect(fnOK, "no false-negative ring at \(fn)")
        #expect(matchedOK, "no matched-truth ring at \(matched)")
        // Centres stay untouched, and no false-positive colour near the true positive.
        let centre = at(detections[1], dx: 0, dy: 0)
        let centreClean = found(.black, near: centre.0, centre.1, in: out, slack: 0, tolerance: 0)
        let noFPNearTP = !found(style.falsePositive, near: tp.0, tp.1, in: out, slack: 2)
        #expect(centreClean && noFPNearTP)
    }

    @Test func thumbnailAveragesAreas() {
        // 4x2 image: left half 0, right half 200 -> 2x1 thumbnail 0, 200; 3x... odd sizes keep the mean.
        var image = Image(width: 4, height: 2, channels: 1)
        for y in 0..<2 { for x in 2..<4 { image[x, y, 0] = 200 } }
        let t = image.thumbnail(maxSide: 2)
        #expect(t.width == 2 && t.height == 1 && t.pixels == [0, 200])
        let big = Image(width: 300, height: 150, channels: 3, fill: 77)
        let small = big.thumbnail(maxSide: 100)
        #expect(small.width == 100 && small.height == 50 && small.pixels.allSatisfy { $0 == 77 })
        #expect(big.thumbnail(maxSide: 400) == big)
        // Fractional factor: mean of a ramp is preserved.
        var ramp = Image(width: 7, height: 1, channels: 1)
        for x in 0..<7 { ramp[x, 0, 0] = UInt8(x * 30) }
        let r = ramp.thumbnail(maxSide: 3)
        let mean = Double(r.pixels.map(Int.init).reduce(0, +)) / 3
        #expect(abs(mean - 90) < 1.5)
    }
}
