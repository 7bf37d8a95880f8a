// sweep-bench: the threshold sweep (`ThresholdSweep.curve`, used by `mitosis run` and `evaluate --sweep`)
// on a held-out set the size of the real cohort's (issue: 83,677 peaks in 393 frames, 743 mitoses), against
// the definition it replaced (re-match every image at every distinct score), which is quadratic.
//
// Usage: swift run -c release --package-path Benchmarks sweep-bench [--images 393] [--per-image 213]
import Dispatch
import Foundation
import MitosisPipeline
import MitosisSupport

var images = 393, perImage = 213
var i = 1
let args = CommandLine.arguments
while i + 1 < args.count {
    switch args[i] {
    case "--images": images = Int(args[i + 1]) ?? images
    case "--per-image": perImage = Int(args[i + 1]) ?? perImage
    default: fatalError("unknown option \(args[i])")
    }
    i += 2
}

/// Frames of 1663x1485 with two centres each, three detections near them and the rest anywhere.
func frames(_ count: Int, _ detections: Int) -> [ScoredImage] {
    var rng = SeededRandom(seed: 9)
    return (0..<count).map { k in
        let truth = (0..<2).map { _ in Point(x: .random(in: 0...1663, using: &rng), y: .random(in: 0...1485, using: &rng)) }
        let dets = (0..<detections).map { d -> (point: Point, score: Float) in
            let c = truth[d % 2]
            let p = d < 3 ? Point(x: c.x + .random(in: -20...20, using: &rng), y: c.y + .random(in: -20...20, using: &rng))
                          : Point(x: .random(in: 0...1663, using: &rng), y: .random(in: 0...1485, using: &rng))
            return (p, Float.random(in: -12...12, using: &rng))
        }
        return ScoredImage(name: "f\(k)", truth: truth, detections: dets)
    }
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let set = frames(images, perImage)
let total = set.reduce(0) { $0 + $1.scores.count }
var points = 0
let fast = seconds { points = ThresholdSweep.curve(set).count }
print(String(format: "ThresholdSweep.curve: %d images, %d detections, %d thresholds: %.3f s", images, total, points, fast))

// The replaced definition, on growing subsets (it is quadratic: the full set takes many minutes).
for n in [10, 20, 40] where n <= images {
    let subset = Array(set.prefix(n))
    let thresholds = Array(Set(subset.flatMap(\.scores))).sorted(by: >)
    let t = seconds {
        _ = thresholds.map { t in subset.reduce(MatchCounts()) { $0 + $1.counts(at: t, radius: 30) } }
    }
    let d = subset.reduce(0) { $0 + $1.scores.count }
    let extrapolated = t * pow(Double(total) / Double(d), 2)
    print(String(format: "re-matching at every score: %d detections: %.2f s (x (D/d)^2 -> %.0f s for all %d)", d, t, extrapolated, total))
}
