import Foundation
import Logging
import MitosisData
import MitosisStore

/// Step 6 for one fold (the author's `step6_make_patches_probs_based_blue_ratio.m`): second-round patches of
/// the fold's training images, drawn from their round-1 P(mitosis) maps (every positive pixel at each
/// positive angle; negatives with replacement, weighted by P, from the candidate mask outside the dilated
/// ground truth), then the fold's round-2 training database and mean image. The one implementation behind
/// `mitosis run` and `mitosis refine`.
public struct RefineStep {
    /// Step-1 geometry and the sampling seed.
    public var patches: PatchOptions
    /// Positive plus negative pixels per image: the author's 3636, for a 2000x2000 image at 40x.
    public var pixelsPerImage = 3636
    /// The author's fixed count per image whatever its size. By default (`mitosis run`'s behaviour) the
    /// count is scaled to the image's area (a 1000x1000 image gets 909) and an image never gets fewer negative
    /// patches than positive ones, so small images dense in mitoses still get negatives.
    public var fixedPerImage = false
    /// Rotations in degrees (nil: the author's, every 15 for positives and every 90 for negatives).
    public var positiveAngles: [Int]?
    public var negativeAngles: [Int]?
    public var backend: StoreBackend = .lmdb
    /// Write the round-2 training database and its mean (`mitosis refine`, for Caffe). `mitosis run` trains
    /// from the archives instead (`writeDatabase` and `storePixels` false).
    public var writeDatabase = true
    /// Store the patches' pixels in the archives (false: sample-only archives; see `PatchStep.storePixels`).
    public var storePixels = true
    /// Seed of the database shuffle (`mitosis run` uses its seed + 2).
    public var databaseSeed: UInt64 = 3
    public var csvOrder: CSVOrder = .xy
    public var logger = Logger(label: "mitosis.refine")

    public init(patches: PatchOptions) { self.patches = patches }

    /// The sampler these settings describe.
    public var sampler: RefinementSampler {
        var s = RefinementSampler(options: patches)
        s.pixelsPerImage = pixelsPerImage
        if let positiveAngles { s.positiveAngles = positiveAngles }
        if let negativeAngles { s.negativeAngles = negativeAngles }
        if !fixedPerImage {
            let side = (2000 * patches.scale).rounded()
            s.referenceArea = Int(side * side)
            s.balanceNegatives = true
        }
        return s
    }

    /// What one fold's step 6 produced.
    public struct Output {
        public var index: PatchIndex
        /// The round-2 training database and its mean (`DatabaseStep.paths`).
        public var database: String
        public var mean: String
        /// Patches (pixels times their rotations) of each class.
        public var positives: Int
        public var negatives: Int
        /// Whether the database was already there (a resumed run).
        public var databaseExisted: Bool
    }

    /// Step 6 for fold `fold`'s training `images` (of the dataset at `root`), from their round-1 maps in
    /// `maps` (`<name>_prob.png` / `_logodds.tif`), into `patchFolder` (archives and index.json) and
    /// `databaseFolder` (`DB_train_<fold>` and its mean). Finished archives and databases are skipped.
    public func run(fold: Int, images: [DatasetImage], root: String, maps: String, patchFolder: String,
                    databaseFolder: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Output {
        let sampler = self.sampler
        var step = PatchStep(options: patches)
        step.refinement = (sampler, maps)
        step.storePixels = storePixels
        step.csvOrder = csvOrder
        step.logger = logger
        let index = try step.run(Dataset(root: root, images: images, skipped: []), into: patchFolder, progress: progress)
        let paths = DatabaseStep.paths(fold: fold, patchSize: patches.patchSize, in: databaseFolder)
        let existed = FileManager.default.fileExists(atPath: paths.train) && FileManager.default.fileExists(atPath: paths.mean)
        var db = DatabaseStep(backend: backend, seed: databaseSeed)
        db.logger = logger
        if writeDatabase { try db.build(fold: fold, train: true, patients: Set(index.entries.map(\.patient)), index: index,
                     patchFolder: patchFolder, into: databaseFolder) }
        return Output(index: index, database: paths.train, mean: paths.mean,
                      positives: index.entries.reduce(0) { $0 + $1.positives } * sampler.positiveAngles.count,
                      negatives: index.entries.reduce(0) { $0 + $1.negatives } * sampler.negativeAngles.count,
                      databaseExisted: existed)
    }
}
