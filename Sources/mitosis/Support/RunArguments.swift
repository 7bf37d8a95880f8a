import ArgumentParser
import MitosisImage
import MitosisPipeline
import MitosisStore
import MitosisTraining

/// Options shared by `mitosis run` and `mitosis demo`.
struct RunArguments: ParsableArguments {
    @Option(help: "Patient-level folds (default 5; 3 with demo --quick).")
    var folds: Int?

    @Option(help: "Seed of every random choice (folds, sampling, shuffles, initialisation).")
    var seed: UInt64 = 1

    @Option(help: "Training iterations per fold and round (batch 128).")
    var iterations: Int?

    @Option(help: "Base learning rate (default 0.001 for Adam, 0.005 for AdaGrad).")
    var baseLR: Double?

    @Option(help: "Solver: adam (default; learns faster in a CPU budget) or adagrad (the tutorial's).")
    var solver = "adam"

    @Option(help: "Learning-rate policy: fixed (the tutorial's) or poly (linear decay to zero).")
    var lrPolicy = TrainingSchedule().lrPolicy

    @Option(help: "Detection: radius in pixels at 20x cleared around each detected peak.")
    var clearingRadius = 15

    @Option(help: "Where each fold's detection threshold is chosen: training (the fold's model on its training images) or other-folds (best F1 on the other folds' held-out predictions).")
    var thresholdFrom = "training"

    @Option(help: "With --threshold-from training: choose each fold's threshold on at most N of its training images, spread over its patients (default all; on the real cohort 100 cost round 2 0.011 of mean F1 and saved about 7 of 41 min). Round 1 uses all of them when step 6 follows, which maps them anyway.")
    var thresholdImages = RunOptions().thresholdImages.map(String.init) ?? "all"

    @Flag(help: "Skip step 6 (the second round with hard negatives).")
    var noRefine = false

    @Flag(help: "Train round 2 from random weights, as the tutorial did (default: fine-tune the round-1 model).")
    var refineFromScratch = false

    @Option(help: "Net: tutorial (the author's 32x32 net) or dropout (its variant with ReLU + dropout 0.5 after both inner products).")
    var net: NetTemplates.Architecture = TrainingSchedule().architecture

    @Option(help: "Step 1: negatives per positive pixel (the tutorial's \(PatchOptions().negativeRatio.formatted())).")
    var negativeRatio: Double?

    @Flag(help: "Maps: average each patch's score with its horizontal mirror's (Caffe's oversampling; twice the map time).")
    var mapMirror = false

    @Flag(help: "Train without stain augmentation (the tutorial had none).")
    var noStainJitter = false

    @Flag(inversion: .prefixedNo, help: "Macenko stain normalisation of every image before patches and maps (on by default: on the real cohort it raised every fold's held-out F1; --no-stain-normalize as the tutorial).")
    var stainNormalize = RunOptions().patches.stainNormalization != nil

    @Option(help: "Folds trained at the same time; each uses its share of the cores.")
    var jobs = 2

    @Flag(help: "Evaluate the patch classifier at every pixel instead of the dense 'a trous' pass (slow).")
    var exact = false

    @Option(help: "Maps: evaluate the net every N working pixels in each direction and interpolate the log-odds in between (1, 2, 4 or 8; default \(RunOptions().maps.stride)).")
    var mapStride: Int?

    @Flag(help: "Write the Caffe databases of steps 3 and 6 and train from them, as the tutorial (default: train straight from the patch archives, the same records in the same order, with a fraction of the disk).")
    var databases = false

    @Option(help: "Database backend with --databases: lmdb or leveldb.")
    var backend: StoreBackend = .lmdb

    @Flag(help: "Keep the maps of each fold's training images (roundK/trainmaps) once step 6 and the thresholds have used them.")
    var keepIntermediates = false

    @OptionGroup var resolution: PixelSizeOptions

    @Option(help: "High-power field area in mm^2 (grading).")
    var fieldArea = 0.196

    func validate() throws {
        guard ["adagrad", "adam"].contains(solver.lowercased()) else { throw ValidationError("--solver must be adagrad or adam, got '\(solver)'") }
        guard ["fixed", "poly"].contains(lrPolicy) else { throw ValidationError("--lr-policy must be fixed or poly, got '\(lrPolicy)'") }
        guard RunOptions.ThresholdSource(rawValue: thresholdFrom) != nil else {
            throw ValidationError("--threshold-from must be training or other-folds, got '\(thresholdFrom)'")
        }
        guard thresholdImages == "all" || (Int(thresholdImages) ?? 0) >= 1 else {
            throw ValidationError("--threshold-images must be a positive number of images or all, got '\(thresholdImages)'")
        }
        if let mapStride {
            guard [1, 2, 4, 8].contains(mapStride) else { throw ValidationError("--map-stride must be 1, 2, 4 or 8, got \(mapStride)") }
            guard mapStride == 1 || !exact else { throw ValidationError("--map-stride above 1 needs the dense maps (drop --exact)") }
        }
        if let negativeRatio { guard negativeRatio > 0, negativeRatio <= 100 else { throw ValidationError("--negative-ratio must be in (0, 100], got \(negativeRatio)") } }
        guard clearingRadius >= 1 else { throw ValidationError("--clearing-radius must be at least 1, got \(clearingRadius)") }
    }

    func options(defaultIterations: Int, defaultFolds: Int = 5) -> RunOptions {
        var o = RunOptions()
        o.folds = folds ?? defaultFolds
        o.seed = seed
        o.patches.seed = seed
        o.backend = backend
        o.writeDatabases = databases
        o.keepIntermediates = keepIntermediates
        o.training.iterations = iterations ?? defaultIterations
        o.training.solverType = solver.lowercased() == "adagrad" ? "AdaGrad" : "Adam"
        o.training.baseLR = o.training.solverType == "Adam" ? 0.001 : 0.005
        if let baseLR { o.training.baseLR = baseLR }
        o.training.lrPolicy = lrPolicy
        o.detector.clearingRadius = clearingRadius
        o.thresholdSource = RunOptions.ThresholdSource(rawValue: thresholdFrom) ?? .trainingImages
        o.thresholdImages = Int(thresholdImages)
        o.training.testInterval = max(1, o.training.iterations / 4)
        o.training.snapshot = max(1, o.training.iterations / 2)
        o.refine = !noRefine
        o.refineFromScratch = refineFromScratch
        o.training.architecture = net
        if let negativeRatio { o.patches.negativeRatio = negativeRatio }
        o.maps.mirrorAverage = mapMirror
        if noStainJitter { o.training.stainJitter = nil }
        o.jobs = max(1, jobs)
        o.patches.stainNormalization = stainNormalize ? StainNormalizer() : nil
        o.maps.mode = exact ? .exact : .dense
        if let mapStride { o.maps.stride = mapStride } else if exact { o.maps.stride = 1 }
        o.imagePixelSize = resolution.pixelSize
        o.workingPixelSize = resolution.workingPixelSize
        o.fieldAreaMM2 = fieldArea
        return o
    }
}
extension NetTemplates.Architecture: ExpressibleByArgument {}
