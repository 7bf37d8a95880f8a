import MitosisImage
@testable import MitosisSynth

/// Helpers shared by the MitosisSynth tests: a colour-only mitosis detector (the baseline a synthetic
/// cohort must defeat) and AMIDA13-style greedy matching.
enum Baseline {
    /// Blue ratio per pixel: (100 * B / (1 + R + G)) * (256 / (1 + R + G + B)).
    static func blueRatio(_ image: Image) -> [Float] {
        (0..<(image.width * image.height)).map { i in
            let r = Float(image.pixels[i * 3]), g = Float(image.pixels[i * 3 + 1]), b = Float(image.pixels[i * 3 + 2])
            return (100 * b / (1 + r + g)) * (256 / (1 + r + g + b))
        }
    }

    /// Darkness per pixel: 255 minus the mean of R, G, B.
    static func darkness(_ image: Image) -> [Float] {
        (0..<(image.width * image.height)).map { i in
            255 - (Float(image.pixels[i * 3]) + Float(image.pixels[i * 3 + 1]) + Float(image.pixels[i * 3 + 2])) / 3
        }
    }

    /// Centroids of 4-connected components of `value >= threshold` whose area is in `areas`.
    static func blobs(_ value: [Float], width: Int, height: Int, threshold: Float,
                      areas: ClosedRange<Int>) -> [(x: Double, y: Double)] {
        var label = [Bool](repeating: false, count: value.count)
        var out: [(x: Double, y: Double)] = []
        var stack: [Int] = []
        for start in 0..<value.count where !label[start] && value[start] >= threshold {
            label[start] = true
            stack.append(start)
            var n = 0, sx = 0, sy = 0
            while let p = stack.popLast() {
                let x = p % width, y = p / width
                n += 1; sx += x; sy += y
                for q in [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1,
                          y < height - 1 ? p + width : -1] where q >= 0 && !label[q] && value[q] >= threshold {
                    label[q] = true
                    stack.append(q)
                }
            }
            if areas.contains(n) { out.append((Double(sx) / Double(n), Double(sy) / Double(n))) }
        }
        return out
    }

    /// Greedy matching: each truth point takes the nearest unused detection within `radius`.
    /// - Returns: (true positives, false positives, false negatives).
    static func match(truth: [MitosisFigure], detections: [(x: Double, y: Double)],
                      radius: Double = 30) -> (tp: Int, fp: Int, fn: Int) {
        var used = [Bool](repeating: false, count: detections.count)
        var tp = 0
        for t in truth {
            var best = -1, bestDistance = radius * radius
            for (k, d) in detections.enumerated() where !used[k] {
                let dd = (d.x - Double(t.x)) * (d.x - Double(t.x)) + (d.y - Double(t.y)) * (d.y - Double(t.y))
                if dd <= bestDistance { bestDistance = dd; best = k }
            }
            if best >= 0 { used[best] = true; tp += 1 }
        }
        return (tp, detections.count - tp, truth.count - tp)
    }

    static func f1(_ c: (tp: Int, fp: Int, fn: Int)) -> Double {
        c.tp == 0 ? 0 : 2 * Double(c.tp) / Double(2 * c.tp + c.fp + c.fn)
    }
}

/// A small in-memory cohort generated once for the tests that only inspect images.
enum SmallCohort {
    static let spec = CohortSpec(patients: 12, imagesPerPatient: 2, width: 256, height: 256, seed: 2024)
    static let images: [(patient: Int, index: Int, image: Image, figures: [MitosisFigure])] =
        (1...spec.patients).flatMap { p in
            (1...spec.imagesPerPatient).map { i in
                let (image, figures) = SyntheticCohort.generateImage(spec, patient: p, index: i)
                return (p, i, image, figures)
            }
        }
}
