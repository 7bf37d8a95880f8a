import Foundation
import MitosisData
import MitosisImage
import MitosisSupport
import MitosisTraining
import MitosisVisuals

extension RunPipeline {
    /// How maps become scored detections (the same as `mitosis detect`).
    var mapDetection: MapDetection { MapDetection(detector: options.detector, scale: options.patches.scale) }

    /// Detections of every test image of a round, scored, from its maps.
    func scoredImages(folds: FoldStep.Summary, mapsFolder: String) throws -> [Int: [(item: DatasetImage, scored: ScoredImage)]] {
        var out: [Int: [(DatasetImage, ScoredImage)]] = [:]
        for f in folds.folds {
            out[f.fold] = try scoredImages(dataset.images.filter { f.testPatients.contains($0.patient) }, mapsFolder: mapsFolder)
        }
        return out
    }

    /// Detections of `items`, scored, from their maps in `mapsFolder`.
    func scoredImages(_ items: [DatasetImage], mapsFolder: String) throws -> [(item: DatasetImage, scored: ScoredImage)] {
        try items.map { item in
            // Scores are log-odds of the smoothed P(mitosis) (MapDetection).
            let found = try mapDetection.detect(mapAt: mapsFolder + "/" + item.name + "_prob.png")
            let truthPoints = truth[item.name]!.map { Point(x: $0.x, y: $0.y) }
            return (item, ScoredImage(name: item.name, truth: truthPoints, detections: found.map { ($0.point, $0.score) }))
        }
    }

    /// Each fold's detection threshold, never chosen on its test images: with `.trainingImages`, the middle
    /// of the best-F1 range of the fold's own model on the fold's training images (`roundK/trainmaps`); with
    /// `.otherFolds`, the best F1 over the other folds' held-out predictions.
    func thresholds(round: Int, folds: FoldStep.Summary, testSets: [(fold: Int, images: [ScoredImage])]) throws -> [Float] {
        switch options.thresholdSource {
        case .otherFolds:
            return ThresholdSweep.crossValidated(testSets, radius: options.matchRadius).map(\.threshold)
        case .trainingImages:
            return try folds.folds.map { f in
                try foldThreshold(round: round, fold: f.fold, items: thresholdItems(round: round, fold: f))
            }
        }
    }

    /// The training images fold `f`'s threshold for `round` is chosen on with `.trainingImages`: all of them
    /// when the round maps them all anyway (round 1 before step 6), else at most `thresholdImages`, spread
    /// evenly over their names.
    func thresholdItems(round: Int, fold f: FoldStep.FoldSummary) -> [DatasetImage] {
        let all = dataset.images.filter { f.trainPatients.contains($0.patient) }
        guard let n = options.thresholdImages, !(round == 1 && options.refine) else { return all }
        return evenlySpread(all, count: n)
    }

    /// What `roundK/fold_K/threshold.json` holds: a fold's threshold chosen on its training images.
    struct FoldThreshold: Codable {
        var threshold: Float
        var unit = "log-odds of the smoothed P(mitosis)"
        var chosenOn: String
        var images: Int
        var f1: Double?
    }

    func thresholdPath(round: Int, fold: Int) -> String { path("round\(round)", "fold_\(fold)", "threshold.json") }

    func hasThreshold(round: Int, fold: Int) -> Bool { FileManager.default.fileExists(atPath: thresholdPath(round: round, fold: fold)) }

    /// Fold `fold`'s threshold for `round` with `.trainingImages`: the middle of the best-F1 range of the
    /// fold's model on its training images `items` (their maps in `roundK/trainmaps/fold_K`), written to
    /// `threshold.json` the first time, so the maps can go.
    func foldThreshold(round: Int, fold: Int, items: [DatasetImage]) throws -> Float {
        let file = thresholdPath(round: round, fold: fold)
        if let data = FileManager.default.contents(atPath: file) {
            do { return try JSONDecoder().decode(FoldThreshold.self, from: data).threshold } catch {
                throw PipelineError.badFile(path: file, reason: "unreadable threshold (\(error)). HINT: delete it; the next run chooses it again from the training images' maps.")
            }
        }
        let validation = try scoredImages(items, mapsFolder: trainMapsFolder(round: round, fold: fold)).map(\.scored)
        let threshold = ThresholdSweep.bestPlateauMiddle(validation, radius: options.matchRadius)
        let counts = validation.reduce(MatchCounts()) { $0 + $1.counts(at: threshold, radius: options.matchRadius) }
        let record = FoldThreshold(threshold: threshold, chosenOn: "\(items.count) of the fold's training images (middle of the best-F1 range)",
                                   images: items.count, f1: counts.f1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(record), to: file)
        logger.info("fold \(fold): round-\(round) threshold \(threshold) (log-odds) from its training images")
        return threshold
    }

    /// Evaluation of one round from its test images' detections: each fold at its threshold (see `thresholds`).
    func evaluate(round: Int, folds: FoldStep.Summary, scored: [Int: [(item: DatasetImage, scored: ScoredImage)]]) throws -> RoundResult {
        let testSets = folds.folds.map { f in (fold: f.fold, images: (scored[f.fold] ?? []).map(\.scored)) }
        let chosen = try thresholds(round: round, folds: folds, testSets: testSets)
        var results: [FoldResult] = [], curves: [PrecisionRecallCurve] = [], losses: [LossCurve] = []
        for (f, (test, threshold)) in zip(folds.folds, zip(testSets, chosen)) {
            let counts = test.images.reduce(MatchCounts()) { $0 + $1.counts(at: threshold, radius: options.matchRadius) }
            results.append(FoldResult(fold: f.fold, testPatients: f.testPatients, threshold: threshold, counts: counts))
            curves.append(PrecisionRecallCurve(fold: f.fold, points: ThresholdSweep.curve(test.images, radius: options.matchRadius),
                                               chosenThreshold: threshold))
            if let rows = try? TrainingLog.read(path("round\(round)", "fold_\(f.fold)", "model_log.csv")) {
                let train = rows.filter { $0.phase == "train" }, tests = rows.filter { $0.phase == "test" }
                losses.append(LossCurve(fold: f.fold, trainIterations: train.map(\.iteration), trainLoss: train.map(\.loss),
                                        testIterations: tests.map(\.iteration), testLoss: tests.map(\.loss),
                                        testAccuracy: tests.map { $0.value ?? 0 }))
            }
        }
        let name = round == 1 ? "Round 1: initial training" : "Round 2: refined with hard negatives"
        let r = RoundResult(round: round, name: name, folds: results, precisionRecall: curves, losses: losses)
        logger.info("round \(round): F1 \(r.summary.f1.formatted()) over \(results.count) folds")
        return r
    }

    /// Detections files, overlays, grades and the report of the final round.
    /// `scored`: the final round's detections (`scoredImages(folds:mapsFolder:)` of `mapsFolder`).
    func writeResults(rounds: [RoundResult], folds: FoldStep.Summary, mapsFolder: String,
                      scored: [Int: [(item: DatasetImage, scored: ScoredImage)]]) throws -> ReportData {
        let final = rounds.last!
        let detDir = path("detections")
        try FileManager.default.createDirectory(atPath: detDir, withIntermediateDirectories: true)
        var images: [ImageResult] = []
        var counted: [(name: String, patient: String, found: Int, truth: Int, pixels: Int)] = []
        for f in final.folds {
            for (item, s) in scored[f.fold] ?? [] {
                let kept = zip(s.points, s.scores).filter { $0.1 >= f.threshold }
                let entries = kept.map { DetectionWriter.Entry($0.0, score: $0.1) }
                try DetectionWriter.writeCSV(entries, to: "\(detDir)/\(item.name).csv")
                try DetectionWriter.writeGeoJSON(entries, to: "\(detDir)/\(item.name).geojson")
                let image = try ImageIO.read(item.imagePath).convertedToChannels(3)
                let plane = try ProbabilityImages.readMap(mapsFolder + "/" + item.name + "_prob.png")
                let points = kept.map(\.0)
                let overlay = Overlay.draw(on: try image.resized(scale: options.patches.scale), truth: s.truth,
                                           detections: points, scale: options.patches.scale)
                try ImageIO.write(overlay, to: "\(detDir)/\(item.name)_overlay.png")
                let thumb = image.thumbnail(maxSide: 360)
                let scale = Double(thumb.width) / Double(image.width)
                let ring = Overlay.draw(on: thumb, truth: s.truth, detections: points, scale: scale)
                let heat = try Heatmap.overlay(plane, on: thumb)
                let counts = Matching.counts(truth: s.truth, detections: points, radius: options.matchRadius)
                images.append(ImageResult(name: item.name, patient: item.patient, fold: f.fold, round: final.round, counts: counts,
                                          overlayImage: Data(try JPEGCodec.encode(ring, quality: 85)),
                                          heatmapImage: Data(try JPEGCodec.encode(heat, quality: 85))))
                counted.append((item.name, item.patient, points.count, s.truth.count, image.width * image.height))
            }
        }
        // Found and annotated counts pooled per patient by the same aggregation as `mitosis grade`.
        let found = MitoticGrade.perPatient(counted.map { ImageCount(name: $0.name, patient: $0.patient, count: $0.found, pixels: $0.pixels) },
                                            pixelSizeMicrons: options.pixelSizeMicrons, fieldAreaMM2: options.fieldAreaMM2)
        let annotated = MitoticGrade.perPatient(counted.map { ImageCount(name: $0.name, patient: $0.patient, count: $0.truth, pixels: $0.pixels) },
                                                pixelSizeMicrons: options.pixelSizeMicrons, fieldAreaMM2: options.fieldAreaMM2)
        let grades = zip(found, annotated).map { f, a in
            PatientGrade(patient: f.patient, images: f.images.count, truthCount: a.grade.count, grade: f.grade, truthGrade: a.grade)
        }
        let cohort = CohortSummary(patients: dataset.patients.count, images: dataset.images.count,
                                   mitoses: truth.values.reduce(0) { $0 + $1.count }, source: datasetPath)
        let settings = RunSettings(commands: ["mitosis run \(FilePaths.shellQuoted(datasetPath)) \(FilePaths.shellQuoted(out))"], values: [
            .init("folds", "\(options.folds)"), .init("seed", "\(options.seed)"),
            .init("training", "\(options.training.iterations) \(options.training.solverType) iterations of \(options.training.batchSize), base_lr \(options.training.baseLR)"),
            .init("patches", "\(options.patches.patchSize)x\(options.patches.patchSize) at scale \(options.patches.scale), positive angles \(options.patches.positiveAngles)"),
            .init("maps", options.maps.mode.rawValue + (options.maps.stride > 1 ? ", net every \(options.maps.stride) px, log-odds interpolated" : "")), .init("database", options.backend.name),
            .init("detector", "disk \(options.detector.smoothingRadius), clearing \(options.detector.clearingRadius) px at 20x; TP within \(String(format: "%.1f", options.matchRadius)) px (7.5 um) of the images' \(String(format: "%.4g", options.pixelSizeMicrons)) um pixels"),
            .init("stain normalisation", options.patches.stainNormalization == nil ? "none" : "Macenko (reference basis)"),
            .init("stain augmentation", options.training.stainJitter.map { "H x 1 +/- \($0.hematoxylin), E x 1 +/- \($0.eosin), shade +/- \($0.hue), brightness +/- \($0.brightness)" } ?? "none"),
            .init("round 2", options.refineFromScratch ? "trained from random weights" : "fine-tuned from the round-1 model"),
            .init("threshold choice", options.thresholdSource == .trainingImages
                  ? "per fold, the middle of the best-F1 range of the fold's model on its own training images"
                  : "per fold, best F1 on the other folds' held-out predictions"),
        ])
        let formatter = ISO8601DateFormatter()
        let data = ReportData(title: "mitosis: cross-validated mitosis detection", generated: formatter.string(from: Date()),
                              cohort: cohort, rounds: rounds, images: images, grades: grades, settings: settings)
        try AtomicFile.write(data.jsonData(), to: path("report.json"))
        try HTMLReport.write(data, to: path("report.html"))
        try AtomicFile.write(TextSummary.render(data), to: path("summary.txt"))
        return data
    }
}

/// At most `count` of `items`, spread evenly over their names sorted (so over the patients, whose names lead
/// the images'): the threshold images of `RunOptions.thresholdImages` and the model bundle's calibration images.
func evenlySpread(_ items: [DatasetImage], count: Int) -> [DatasetImage] {
    let sorted = items.sorted { $0.name < $1.name }
    let n = min(max(count, 0), sorted.count)
    return (0..<n).map { sorted[$0 * sorted.count / n] }
}
