import Foundation
import MitosisImage
import MitosisSupport
import MitosisVisuals

/// A made-up but internally consistent `ReportData` (tiny synthetic tissue, probability maps, detections
/// matched for real) to preview and test the report without running the pipeline.
public enum ReportDemo {
    /// - Parameters:
    ///   - seed: all randomness comes from it.
    ///   - imagesPerFold: test images per fold and round shown in the gallery.
    ///   - side: side of each synthetic 40x image in pixels.
    public static func make(seed: UInt64 = 7, folds: Int = 5, imagesPerFold: Int = 1, side: Int = 240) throws -> ReportData {
        var rng = SeededRandom(seed: seed)
        let patients = (1...12).map { String(format: "%02d", $0) }
        var rounds: [RoundResult] = [], images: [ImageResult] = []
        for round in 1...2 {
            var foldResults: [FoldResult] = [], curves: [PrecisionRecallCurve] = [], losses: [LossCurve] = []
            for fold in 1...folds {
                let test = patients.enumerated().filter { $0.offset % folds == fold - 1 }.map(\.element)
                let quality = round == 1 ? 0.35 : 0.55
                let scored = (0..<3).map { k in syntheticScores(name: "\(fold)-\(k)", quality: quality + 0.1 * (rng.unit() - 0.5), rng: &rng) }
                let best = ThresholdSweep.best(scored)
                let curve = ThresholdSweep.curve(scored)
                foldResults.append(FoldResult(fold: fold, testPatients: test, threshold: best.threshold, counts: best.counts))
                curves.append(PrecisionRecallCurve(fold: fold, points: curve, chosenThreshold: best.threshold))
                losses.append(lossCurve(fold: fold, round: round, rng: &rng))
                for k in 0..<imagesPerFold {
                    images.append(try galleryImage(name: "\(test[k % test.count])_\(String(format: "%02d", k + 1))",
                                                   patient: test[k % test.count], fold: fold, round: round, side: side, rng: &rng))
                }
            }
            rounds.append(RoundResult(round: round, name: round == 1 ? "Round 1: initial training"
                                                                     : "Round 2: refined with hard negatives",
                                      folds: foldResults, precisionRecall: curves, losses: losses))
        }
        let grades = patients.map { p -> PatientGrade in
            let n = Int(rng.unit() * 20), truth = max(0, n + Int(rng.unit() * 5) - 2)
            let pixels = 2000 * 2000 * 4
            return PatientGrade(patient: p, images: 4, truthCount: truth, grade: MitoticGrade(count: n, pixels: pixels),
                                truthGrade: MitoticGrade(count: truth, pixels: pixels))
        }
        let settings = RunSettings(
            commands: ["mitosis patches --data data/ --out work/patches --seed \(seed)",
                       "mitosis folds --data data/ --out work/folds --seed \(seed)",
                       "mitosis train --folds work/folds --round 1 --iterations 600000",
                       "mitosis report --run work/ --out report.html"],
            values: [.init("Seed", "\(seed)"), .init("Patch size", "32 x 32 at 20x"), .init("Match radius", "30 px at 40x (7.5 µm)"),
                     .init("HPF area", "0.196 mm²"), .init("Data", "synthetic demo data (not a real run)")])
        return ReportData(title: "Mitosis detection: demo report", generated: "demo (seed \(seed))",
                          cohort: CohortSummary(patients: 12, images: 311, mitoses: 550, source: "synthetic demo data"),
                          rounds: rounds, images: images, grades: grades, settings: settings)
    }

    /// Ground truth and scored detections whose ranking is informative in proportion to `quality`.
    static func syntheticScores(name: String, quality: Double, rng: inout SeededRandom) -> ScoredImage {
        let truth = (0..<12).map { k in Point(x: Double(k * 150 + 40), y: Double(k % 4) * 400 + 60) }
        var dets: [(point: Point, score: Float)] = []
        for t in truth where rng.unit() < 0.55 + quality * 0.6 {
            dets.append((Point(x: t.x + rng.unit() * 16 - 8, y: t.y + rng.unit() * 16 - 8),
                         Float(0.3 + 0.7 * min(1, quality + rng.unit() * 0.6))))
        }
        for _ in 0..<Int(30 * (1 - quality)) {
            dets.append((Point(x: rng.unit() * 1900 + 50, y: rng.unit() * 300 + 1600), Float(0.3 + 0.6 * rng.unit())))
        }
        return ScoredImage(name: name, truth: truth, detections: dets)
    }

    static func lossCurve(fold: Int, round: Int, rng: inout SeededRandom) -> LossCurve {
        // Caffe logs every `display` iterations; log-spaced here so the log axis is evenly filled.
        let train = (0...120).map { Int(100 * pow(6000.0, Double($0) / 120)) }
        let floor = round == 1 ? 0.08 : 0.12
        func loss(_ i: Int, noise: Double) -> Double { floor + 0.6 / (1 + Double(i) / 4000) + noise }
        let tests = stride(from: 10_000, through: 600_000, by: 10_000).map { $0 }
        return LossCurve(fold: fold, trainIterations: train,
                         trainLoss: train.map { loss($0, noise: (rng.unit() - 0.5) * 0.06) },
                         testIterations: tests, testLoss: tests.map { loss($0, noise: 0.05 + Double($0) / 6e6) },
                         testAccuracy: tests.map { 0.97 - 0.25 / (1 + Double($0) / 20_000) })
    }

    /// A pinkish tissue tile with purple nuclei, a probability map peaking at some of them, matched detections.
    static func galleryImage(name: String, patient: String, fold: Int, round: Int, side: Int,
                             rng: inout SeededRandom) throws -> ImageResult {
        var canvas = Canvas(width: side, height: side, background: RGBColor(236, 200, 220))
        for _ in 0..<(side * side / 900) {
            canvas.disk(cx: rng.unit() * Double(side), cy: rng.unit() * Double(side), radius: 3 + rng.unit() * 4,
                        RGBColor(120, 70, 150))
        }
        let truth = (0..<4).map { _ in Point(x: 20 + rng.unit() * Double(side - 40), y: 20 + rng.unit() * Double(side - 40)) }
        for t in truth { canvas.disk(cx: t.x + 0.5, cy: t.y + 0.5, radius: 6, RGBColor(60, 20, 90)) }
        // Map at 20x (half size), peaks at the found mitoses and at a false alarm.
        let half = side / 2
        var map = FloatPlane(width: half, height: half)
        var peaks = truth.prefix(round == 1 ? 2 : 3).map { ($0.x / 2, $0.y / 2) }
        peaks.append((rng.unit() * Double(half), rng.unit() * Double(half)))
        for y in 0..<half {
            for x in 0..<half {
                var v = 0.0
                for p in peaks {
                    let dx: Double = Double(x) - p.0, dy: Double = Double(y) - p.1
                    v = max(v, exp(-(dx * dx + dy * dy) / 18))
                }
                map[x, y] = Float(v * 0.95)
            }
        }
        let found = PeakDetector(smoothingRadius: 2, clearingRadius: 8, threshold: 0.3).detect(map)
        let points = found.map { Point(x: Double($0.x) * 2 + 0.5, y: Double($0.y) * 2 + 0.5) }
        let counts = Matching.counts(truth: truth, detections: points)
        let overlay = Overlay.draw(on: canvas.image, truth: truth, detections: points, scale: 1,
                                   style: OverlayStyle(radius: 12, thickness: 2))
        let heat = try Heatmap.overlay(map, on: canvas.image)
        return ImageResult(name: name, patient: patient, fold: fold, round: round, counts: counts,
                           overlayImage: Data(try PNGCodec.encode(overlay)), heatmapImage: Data(try PNGCodec.encode(heat)))
    }
}
