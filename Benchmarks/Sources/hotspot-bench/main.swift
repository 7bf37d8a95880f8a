// hotspot-bench: `HotspotFinder.find` on a whole slide of 25 x 20 mm at 10 um cells (a 2500 x 2000 grid),
// tissue an ellipse in a 16 um/pixel mask, 3,000 detections scattered over it and a cluster of 40 (`--detections`), for the
// default region (10 HPF, both layouts), a square and a disc of the same area. Best of `--repeat` runs.
//
// `--detections 0` (no detections at all) is the disc's worst case: every placement ties at 0, and the tie goes
// to the most tissue, which sums every placement's runs.
//
// Usage: swift run -c release --package-path Benchmarks hotspot-bench [--repeat 3] [--cell 10] [--detections 3000]
import Dispatch
import Foundation
import MitosisImage
import MitosisPipeline
import MitosisSupport

var repeats = 3, cell = 10.0, scattered = 3_000
var i = 1
let args = CommandLine.arguments
while i + 1 < args.count {
    switch args[i] {
    case "--repeat": repeats = Int(args[i + 1]) ?? repeats
    case "--cell": cell = Double(args[i + 1]) ?? cell
    case "--detections": scattered = Int(args[i + 1]) ?? scattered
    default: fatalError("unknown option \(args[i])")
    }
    i += 2
}

let (width, height, maskPixel) = (25_000.0, 20_000.0, 16.0)
var mask = Mask(width: Int(width / maskPixel), height: Int(height / maskPixel))
for y in 0..<mask.height {
    for x in 0..<mask.width {
        let u = (Double(x) * maskPixel - 12_500) / 11_000, v = (Double(y) * maskPixel - 10_000) / 8_500
        mask[x, y] = u * u + v * v <= 1
    }
}
var rng = SplitMix64(seed: 7)
var detections: [Point] = []
while detections.count < scattered {
    let p = Point(x: rng.unit() * width, y: rng.unit() * height)
    if mask[Int(p.x / maskPixel), Int(p.y / maskPixel)] { detections.append(p) }
}
for k in 0..<(scattered > 0 ? 40 : 0) { detections.append(Point(x: 8_000 + Double(k % 8) * 100, y: 6_000 + Double(k / 8) * 150)) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

print("slide 25 x 20 mm, \(detections.count) detections, mask \(mask.width) x \(mask.height) at \(maskPixel) um, cells \(cell) um, "
    + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
for text in ["fields:10@0.196", "area:1.96", "circle:1.58"] {
    let finder = HotspotFinder(region: try HotspotRegion(parsing: text), cellMicrons: cell)
    var hotspot: Hotspot?
    var best = Double.infinity
    for _ in 0..<repeats {
        best = min(best, try seconds {
            hotspot = try finder.find(detections: detections, slideWidthMicrons: width, slideHeightMicrons: height,
                                      tissue: mask, micronsPerMaskPixel: maskPixel)
        })
    }
    let h = hotspot!
    print(text.padding(toLength: 16, withPad: " ", startingAt: 0)
        + String(format: " %7.3f s   count %d at (%.0f, %.0f) um, %.0f x %.0f um, tissue %.2f, score %d",
                 best, h.count, h.box.x, h.box.y, h.box.width, h.box.height, h.tissueFraction, h.score))
}
