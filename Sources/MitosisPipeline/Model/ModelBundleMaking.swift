import Foundation
import MitosisData
import MitosisSupport

extension ModelBundle {
    /// The version `provenance.tool` records.
    public static let toolName = "mitosis \(MitosisVersion.string)"

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// A bundle from released Caffe files (`mitosis model import-caffe`): one deploy net shared by the
    /// models, each `.caffemodel` with its mean `.binaryproto`, copied into `folder` under their own names.
    /// Every model is loaded first, so a net and weights that do not fit are refused (naming the layer)
    /// before anything is written.
    /// - Parameters:
    ///   - threshold: log-odds of the smoothed P(mitosis); nil: 0 (P > 0.5, the tutorial's class maps).
    ///   - workingPixelSize: the resolution the models were trained at (0.5 um/px: the tutorial's 20x).
    public static func importCaffe(net: String, weights: [String], means: [String], into folder: String, threshold: Float?,
                                   workingPixelSize: Double = 0.5, maps: Maps = Maps(stride: RunOptions().maps.stride),
                                   fieldAreaMM2: Double = 0.196, command: String? = nil) throws -> ModelBundle {
        guard !weights.isEmpty, weights.count == means.count else {
            throw PipelineError.invalidOption("give one mean per weights file (got \(weights.count) weights, \(means.count) means)")
        }
        let net = FilePaths.absolute(net), weights = weights.map { FilePaths.absolute($0) }, means = means.map { FilePaths.absolute($0) }
        for (w, m) in zip(weights, means) {
            _ = try ClassifierModel.load(net: URL(fileURLWithPath: net), weights: URL(fileURLWithPath: w), mean: URL(fileURLWithPath: m))
        }
        let folder = FilePaths.absolute(folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let netName = try copy(net, to: folder, as: (net as NSString).lastPathComponent)
        var used: Set<String> = [netName]
        func unique(_ path: String, _ k: Int) -> String {
            let base = (path as NSString).lastPathComponent
            let name = used.contains(base) ? "\(k + 1)_\(base)" : base
            used.insert(name)
            return name
        }
        var members: [Member] = []
        for (k, (w, m)) in zip(weights, means).enumerated() {
            let wName = try copy(w, to: folder, as: unique(w, k)), mName = try copy(m, to: folder, as: unique(m, k))
            members.append(Member(name: ((w as NSString).lastPathComponent as NSString).deletingPathExtension, net: netName, weights: wName, mean: mName))
        }
        var provenance = Provenance(tool: toolName, created: now(), source: "Caffe files: \(net); \(weights.joined(separator: ", "))")
        provenance.command = command
        provenance.notes = ["imported; not trained or cross-validated by mitosis",
                            threshold == nil ? "threshold 0 log-odds (smoothed P(mitosis) > 0.5, the tutorial's class maps): not calibrated for your images; choose one with `mitosis evaluate --sweep` on annotated images and pass --threshold" : "threshold given at import"]
        let bundle = ModelBundle(models: members, workingPixelSize: workingPixelSize, maps: maps, detector: RunOptions().detector,
                                 threshold: Threshold(value: threshold ?? 0, chosen: threshold == nil ? "default: P > 0.5 (log-odds 0)" : "given at import"),
                                 fieldAreaMM2: fieldAreaMM2, provenance: provenance)
        try bundle.writeManifest(to: folder)
        return bundle
    }
}

extension RunPipeline {
    /// `OUT/model`: the final round's fold models as a bundle `mitosis apply` takes, with the threshold of
    /// their average chosen by the folds' rule (the middle of the best-F1 range) on `calibrationImages`
    /// images spread over the patients, every one of which some of the models trained on. Skipped when the
    /// manifest exists.
    func writeModelBundle(rounds: [RoundResult], chains: [FoldModels]) throws {
        let folder = path("model")
        if FileManager.default.fileExists(atPath: folder + "/" + ModelBundle.manifestName) { return }
        stage("model bundle -> \(folder)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let final = rounds.last!
        let net = try ModelBundle.copy(path("round\(final.round)", "fold_\(chains[0].fold)", "deploy.prototxt"), to: folder, as: "deploy.prototxt")
        var members: [ModelBundle.Member] = []
        for c in chains.sorted(by: { $0.fold < $1.fold }) {
            let model = c.round2 ?? c.round1
            let threshold = final.folds.first { $0.fold == c.fold }?.threshold
            members.append(ModelBundle.Member(name: "fold_\(c.fold)", net: net,
                                              weights: try ModelBundle.copy(model.weights, to: folder, as: "fold_\(c.fold).caffemodel"),
                                              mean: try ModelBundle.copy(model.mean, to: folder, as: "fold_\(c.fold)_mean.binaryproto"),
                                              threshold: threshold))
        }
        // The averaged models' threshold, on images spread evenly over the sorted names (so over patients).
        let sample = evenlySpread(dataset.images, count: options.bundleCalibrationImages)
        let n = sample.count
        let mapsFolder = folder + "/calibration-maps"
        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: mapsFolder), scale: options.patches.scale)
        job.stainNormalization = options.patches.stainNormalization
        let classifiers = try members.map { try classifier(weights: folder + "/" + $0.weights, mean: folder + "/" + $0.mean) }
        _ = try job.mapAll(sample.map { URL(fileURLWithPath: $0.imagePath) }, stopAtFirstFailure: true, mapper: {
            try ProbabilityMapper(models: classifiers, options: options.maps)
        }, progress: { done, total in self.onProgress?(done, total) })
        let scored = try scoredImages(sample, mapsFolder: mapsFolder).map(\.scored)
        let threshold = ThresholdSweep.bestPlateauMiddle(scored, radius: options.matchRadius)
        let counts = scored.reduce(MatchCounts()) { $0 + $1.counts(at: threshold, radius: options.matchRadius) }
        var provenance = ModelBundle.Provenance(tool: ModelBundle.toolName, created: ModelBundle.now(), source: datasetPath)
        provenance.command = "mitosis run \(FilePaths.shellQuoted(datasetPath)) \(FilePaths.shellQuoted(out))"
        provenance.patients = dataset.patients.count
        provenance.images = dataset.images.count
        provenance.mitoses = truth.values.reduce(0) { $0 + $1.count }
        provenance.folds = options.folds
        provenance.seed = options.seed
        provenance.round = final.round
        provenance.iterations = options.training.iterations
        provenance.imagePixelSize = options.pixelSizeMicrons
        let s = final.summary
        provenance.crossValidated = ModelBundle.Figures(f1Mean: s.f1.mean, f1Std: s.f1.std, precisionMean: s.precision.mean,
                                                        recallMean: s.recall.mean, pooledF1: final.pooled.f1)
        provenance.notes = ["crossValidated: each fold's model on its held-out patients at its own threshold; the averaged models have no held-out figure",
                            "calibration: F1 \(counts.f1.map { String(format: "%.3f", $0) } ?? "undefined") of the averaged models on the \(n) calibration images (optimistic: they are training images)"]
        let bundle = ModelBundle(models: members, workingPixelSize: options.workingPixelSize,
                                 maps: .init(mode: options.maps.mode.rawValue, stride: options.maps.stride, mirrorAverage: options.maps.mirrorAverage,
                                             mask: true, stainNormalization: options.patches.stainNormalization == nil ? nil : "macenko"),
                                 detector: options.detector,
                                 threshold: .init(value: threshold, chosen: "middle of the best-F1 range of the averaged models on \(n) of the cohort's images spread over its patients"),
                                 fieldAreaMM2: options.fieldAreaMM2, provenance: provenance)
        try bundle.writeManifest(to: folder)
        if !options.keepIntermediates { try? FileManager.default.removeItem(atPath: mapsFolder) }
        logger.info("model bundle \(folder): \(members.count) models, threshold \(threshold) (log-odds)")
    }
}
