// resize-bench: MATLAB `imresize` of uint8 RGB tiles as the slide path does it, the fused Float path
// (`Image.resized`) against its Double reference passes, on a real 40x frame tiled to a slide tile's size
// (2,256 x 2,256 level-0 pixels, a 1,024-pixel working tile and its halo) and on noise. Prints the best and median of
// `--repeat` alternating runs of each, in ms and level-0 megapixels per second, both cores, and checks the two agree.
//
// Usage: swift run -c release --package-path Benchmarks resize-bench [--repeat 7] [--side 2256] [--scale 0.4546] [FRAME.jpg]
import Foundation
@_spi(Benchmarks) import MitosisImage

var repeats = 7, side = 2256, scale = 0.4546
var frame = "../shared/real/mitos-atypia-14-H/H03_00Aa.jpg"
var i = 1
let args = CommandLine.arguments
while i < args.count {
    switch args[i] {
    case "--repeat": repeats = Int(args[i + 1]) ?? repeats; i += 2
    case "--side": side = Int(args[i + 1]) ?? side; i += 2
    case "--scale": scale = Double(args[i + 1]) ?? scale; i += 2
    default: frame = args[i]; i += 1
    }
}

/// `image` repeated (mirrored every other time, so no seams) to `side` x `side`.
func tiled(_ image: Image, side: Int) -> Image {
    var pixels = [UInt8](repeating: 0, count: side * side * 3)
    for y in 0..<side {
        let sy = (y / image.height) % 2 == 0 ? y % image.height : image.height - 1 - y % image.height
        for x in 0..<side {
            let sx = (x / image.width) % 2 == 0 ? x % image.width : image.width - 1 - x % image.width
            for c in 0..<3 { pixels[(y * side + x) * 3 + c] = image.pixels[(sy * image.width + sx) * 3 + c] }
        }
    }
    return Image(width: side, height: side, channels: 3, pixels: pixels)
}

/// `a` and `b` run alternately `repeats` times each (so both see the same machine): their best and median ms.
func alternating(_ a: () throws -> Image, _ b: () throws -> Image) rethrows
    -> (a: (best: Double, median: Double, result: Image), b: (best: Double, median: Double, result: Image)) {
    var ta = [Double](), tb = [Double](), ra: Image?, rb: Image?
    for _ in 0..<repeats {
        var s = Date()
        ra = try a()
        ta.append(Date().timeIntervalSince(s) * 1000)
        s = Date()
        rb = try b()
        tb.append(Date().timeIntervalSince(s) * 1000)
    }
    ta.sort(); tb.sort()
    return ((ta[0], ta[ta.count / 2], ra!), (tb[0], tb[tb.count / 2], rb!))
}

var state: UInt64 = 0x9E37_79B9_7F4A_7C15
let noise = Image(width: side, height: side, channels: 3, pixels: (0..<side * side * 3).map { _ in
    state ^= state << 13; state ^= state >> 7; state ^= state << 17
    return UInt8(truncatingIfNeeded: state >> 24)
})
let real = tiled(try ImageIO.read(frame).convertedToChannels(3), side: side)
print("resize of a \(side) x \(side) RGB tile by \(scale), \(repeats) alternating runs each, both cores")
for (name, image) in [("real (\((frame as NSString).lastPathComponent))", real), ("noise", noise)] {
    let (fused, reference) = try alternating({ try image.resized(scale: scale) }, { try image._resizedByDoublePasses(scale: scale) })
    let mp = Double(side * side) / 1e6
    print(String(format: "%@: fused best %.1f ms (%.0f MP/s), median %.1f; Double passes best %.1f ms (%.0f MP/s), median %.1f: %.2fx (best), %.2fx (median), %@",
                 name, fused.best, mp / fused.best * 1000, fused.median, reference.best, mp / reference.best * 1000, reference.median,
                 reference.best / fused.best, reference.median / fused.median,
                 fused.result == reference.result ? "identical" : "DIFFERENT"))
}
