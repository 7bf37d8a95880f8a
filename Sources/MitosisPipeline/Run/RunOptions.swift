import MitosisData
import MitosisImage
import MitosisStore
import MitosisTraining

/// Settings of a whole `mitosis run`: the six steps, detection, evaluation and grading.
public struct RunOptions: Sendable {
    /// Step-1 geometry and sampling (seed included).
    /// Macenko stain normalisation of every working image is on: in the real cohort's ablation it raised the
    /// best held-out F1 of every fold (mean 0.378 against 0.330) and the cross-validated F1 (0.258 against
    /// 0.199; docs/REAL-DATA.md, "Ablation").
    public var patches: PatchOptions = {
        var p = PatchOptions()
        p.stainNormalization = StainNormalizer()
        return p
    }()
    /// Patient-level folds.
    public var folds = 5
    /// Seed of folds, database shuffles, training and sampling.
    public var seed: UInt64 = 1
    /// Database backend of step 3.
    public var backend: StoreBackend = .lmdb
    /// Write step 3's Caffe databases (and step 6's) and train from them, as the tutorial. Off by default:
    /// each fold trains straight from the patch archives, reading the same records in the same order
    /// (`DatabaseStep.records`), and steps 1 and 6 store only where their patches are
    /// (`PatchStep.storePixels`), so a real cohort needs a few gigabytes of disk instead of a hundred.
    public var writeDatabases = false
    /// Keep the maps of the folds' training images (`roundK/trainmaps`) once step 6 and the thresholds no
    /// longer need them.
    public var keepIntermediates = false
    /// Training schedule per fold and round (see `TrainingSchedule`).
    public var training = TrainingSchedule()
    /// Step 6: second round with hard negatives.
    public var refine = true
    /// Round 2 starts from random weights, as the tutorial did, instead of fine-tuning the round-1 model
    /// (the default: it reaches a better model in the same number of CPU iterations).
    public var refineFromScratch = false
    /// Folds trained at the same time (each on its share of the cores).
    public var jobs = 2
    /// Positive + negative pixels per image in step 6: the author's 3636 for a 2000x2000 image at 40x,
    /// scaled to each image's area (a 1000x1000 image gets 909), unless `refineFixedPerImage`; when scaled, an
    /// image never gets fewer negative patches than positive ones (see `RefinementSampler.balanceNegatives`).
    public var refinePixelsPerImage = 3636
    /// Every image gets `refinePixelsPerImage` whatever its size, as the author's script.
    public var refineFixedPerImage = false
    /// Images (spread over the patients) on which the model bundle's threshold for the averaged fold models
    /// is chosen (`OUT/model`, `writeModelBundle`).
    public var bundleCalibrationImages = 40
    /// Probability-map mode and options. The net is evaluated every 2 working pixels and the log-odds
    /// interpolated between (`ProbabilityMapOptions.stride`): on the real cohort's held-out round-1 maps it
    /// gave the same F1 as every pixel (mean 0.294 vs 0.295 at the same thresholds, best F1 per fold within
    /// 0.005) in 0.6 instead of 1.5 core-seconds per 756x675 map (docs/REAL-DATA.md, "Map stride").
    public var maps = ProbabilityMapOptions(stride: 2)
    /// Peak detection (its threshold is the low end of the sweep; each fold's threshold is chosen as
    /// `thresholdSource` says). The clearing radius, 15 px at 20x, is the match radius (30 px at 40x): an
    /// anaphase or telophase figure spans 20-40 px at 40x and would otherwise give two peaks.
    public var detector = PeakDetector(smoothingRadius: 6, clearingRadius: 15, threshold: 0.05)
    /// Where each fold's detection threshold is chosen; never on the fold's test images.
    public enum ThresholdSource: String, Sendable, CaseIterable {
        /// The fold's own model on the fold's training images (the middle of the best-F1 range): each model's
        /// scores are on their own scale, so a threshold taken from other models transfers badly.
        case trainingImages = "training"
        /// The best F1 over the other folds' held-out predictions, made by the other folds' models.
        case otherFolds = "other-folds"
    }
    public var thresholdSource = ThresholdSource.trainingImages
    /// With `.trainingImages`: a fold's threshold is chosen on at most this many of its training images,
    /// spread evenly over their sorted names (so over its patients; `evenlySpread`), unless the round maps
    /// all of them anyway (round 1 when step 6 follows). nil (the default): all. Mapping every training
    /// image only for round 2's threshold is about a quarter of the real run; on the real cohort 100 images
    /// saved about 7 of 41 min and cost round 2 0.011 of mean F1 (docs/REAL-DATA.md, "Dropout, poly, 1,500 iterations").
    public var thresholdImages: Int?
    /// The images' pixel size in um; nil: from their files, else the tutorial's 0.25 with a warning
    /// (`ImagePixelSize`). `RunPipeline` derives the scale and the radii from it (`resolved(imagePixelSize:)`).
    public var imagePixelSize: Double?
    /// The resolution the network works at, in um per pixel: the tutorial's 20x.
    public var workingPixelSize = 0.5
    /// True positive radius in image pixels (7.5 um: 30 px at 0.25 um/px).
    public var matchRadius = 30.0
    /// Pixel size at the images' resolution (um) and high-power field area (mm^2) for grading.
    public var pixelSizeMicrons = 0.25
    public var fieldAreaMM2 = 0.196
    public var csvOrder: CSVOrder = .xy

    public init() {}
}

