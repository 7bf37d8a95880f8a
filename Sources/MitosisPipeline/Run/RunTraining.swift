import Foundation
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisSupport
import MitosisTraining

extension RunPipeline {
    /// Step 4 for one fold and round: writes the net and solver prototxt and trains (resuming from the last
    /// snapshot if a previous run was interrupted). Returns the final caffemodel.
    /// `patches`: the records to train and test on when the run writes no databases (`round1Records`); the
    /// net then names the databases `mitosis db` would write with the same records.
    func train(round: Int, fold: Int, trainDB: String, testDB: String, mean: String, initialWeights: String? = nil,
               patches: (() throws -> [Phase: ShuffledPatches])? = nil, progress: @escaping (Int) -> Void) throws -> String {
        let dir = path("round\(round)", "fold_\(fold)")
        let s = options.training
        let final = "\(dir)/model_iter_\(s.iterations).caffemodel"
        if isTrained(dir) {
            let deploy = dir + "/deploy.prototxt"
            if let written = try? String(contentsOfFile: deploy, encoding: .utf8),
               written != NetTemplates.deployNet(architecture: s.architecture) {
                throw PipelineError.invalidOption("\(deploy) is not the \(s.architecture.rawValue) net this run asks for: the fold was trained with another --net; give the same --net or another output folder")
            }
            logger.info("\(final) exists: training skipped")
            progress(s.iterations)
            return final
        }
        let note = patches == nil ? nil : """
            mitosis run trained this net straight from its patch archives, reading the records these databases
            would hold in the same order. To train it with Caffe, write them first: `mitosis run --databases`
            (or `mitosis db` on the patch folder).
            """
        try s.writeFoldFiles(into: dir, trainDB: trainDB, testDB: testDB, mean: mean, backend: options.backend,
                             seed: options.seed &+ UInt64(100 * round + fold), tree: out, note: note)
        var job = Trainer.Job(solverPath: dir + "/solver.prototxt")
        job.seed = options.seed &+ UInt64(100 * round + fold)
        job.resume = latestSnapshot(in: dir)
        job.weights = initialWeights
        job.stainJitter = s.stainJitter
        let trainer = try Trainer(job, patches: patches?())
        trainer.logger = logger
        let model = try trainer.run(progress: { p in progress(p.iteration) }, shouldStop: shouldStop)
        try TrainingLog.write(logPath: trainer.logPath)
        return model
    }

    /// One side of a fold's round-1 patches in database order (what step 3 would write to
    /// `DB_train_K` / `DB_test_K`), from the archives read once for all folds.
    func round1Records(fold f: FoldStep.FoldSummary, train: Bool) throws -> ShuffledPatches {
        let all = try round1Patches.get { try ImagePatches.load(round1Index!, folder: path("round1", "patches"), dataset: dataset) }
        let patients = Set(train ? f.trainPatients : f.testPatients)
        return DatabaseStep(seed: options.seed).records(fold: f.fold, train: train, images: all.filter { patients.contains($0.entry.patient) })
    }

    /// Step 3 without databases: each fold's training mean image (`compute_image_mean` of the records
    /// `DB_train_K` would hold), where the nets and maps expect it.
    func writeMeans(_ folds: FoldStep.Summary) throws {
        let folder = path("round1", "db")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for f in folds.folds {
            let mean = DatabaseStep.paths(fold: f.fold, patchSize: options.patches.patchSize, in: folder).mean
            if FileManager.default.fileExists(atPath: mean) { continue }
            try round1Records(fold: f, train: true).writeMean(to: mean)
            logger.info("\(mean) written")
        }
    }

    /// Whether the training in `dir` finished: its final caffemodel and the last file a training writes, the
    /// loss plot, exist. A run killed between the two resumes from the last snapshot and writes the rest (the
    /// final caffemodel alone used to count as done, leaving the log, plot or resume state unwritten).
    func isTrained(_ dir: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: "\(dir)/model_iter_\(options.training.iterations).caffemodel")
            && fm.fileExists(atPath: "\(dir)/model_loss.png")
    }

    /// The `.resume.json` of the highest iteration in `dir`, if any.
    func latestSnapshot(in dir: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let best = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("model_iter_"), name.hasSuffix(".resume.json") else { return nil }
            return Int(name.dropFirst("model_iter_".count).dropLast(".resume.json".count)).map { ($0, name) }
        }.max { $0.0 < $1.0 }
        return best.map { dir + "/" + $0.1 }
    }

    /// A classifier for a trained fold model.
    func classifier(weights: String, mean: String) throws -> ClassifierModel {
        try ClassifierModel(definition: NetImporter.parse(NetTemplates.deployNet(architecture: options.training.architecture), path: "deploy.prototxt"),
                            weights: CaffeModel(contentsOf: URL(fileURLWithPath: weights)).weights,
                            mean: MeanImage.read(contentsOf: URL(fileURLWithPath: mean)), meanPath: mean)
    }

    /// Where a round's model of `fold` maps the fold's training images (step 6 and thresholds).
    func trainMapsFolder(round: Int, fold: Int) -> String { path("round\(round)", "trainmaps", "fold_\(fold)") }

    /// Step 5 for the images of `items` with one model, into `folder` (skipping finished maps).
    func maps(_ items: [DatasetImage], model: (weights: String, mean: String), into folder: String) throws {
        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: folder), scale: options.patches.scale)
        job.stainNormalization = options.patches.stainNormalization
        // Refused before the first map when the disk cannot hold them: at most a 32-bit float and two 8-bit
        // images per working pixel (the float map is Deflate-compressed, so usually far less).
        let todo = items.filter { !job.isDone(URL(fileURLWithPath: $0.imagePath)) }
        if !todo.isEmpty {
            let pixels = try todo.reduce(Int64(0)) { sum, item in
                let size = try ImageHeader.size(of: item.imagePath)
                return sum + Int64((Double(size.width) * options.patches.scale).rounded(.up) * (Double(size.height) * options.patches.scale).rounded(.up))
            }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try DiskSpace.require(pixels * 6, at: folder, for: "the maps of \(todo.count) images")
        }
        _ = try job.mapAll(items.map { URL(fileURLWithPath: $0.imagePath) }, stopAtFirstFailure: true, mapper: {
            try ProbabilityMapper(models: [classifier(weights: model.weights, mean: model.mean)], options: options.maps)
        })
    }

    /// Whether fold `fold`'s round-2 model and its mean exist.
    func isRefined(fold: Int) -> Bool {
        let dir = path("round2", "fold_\(fold)")
        let mean = DatabaseStep.paths(fold: fold, patchSize: options.patches.patchSize, in: dir + "/db").mean
        return isTrained(dir) && FileManager.default.fileExists(atPath: mean)
    }

    /// Removes the maps of fold `fold`'s training images for `round` once nothing needs them (unless
    /// `keepIntermediates`): they are the largest intermediate, four times the held-out maps with 5 folds.
    func removeTrainMaps(round: Int, fold: Int) {
        guard !options.keepIntermediates else { return }
        let folder = trainMapsFolder(round: round, fold: fold)
        guard FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.removeItem(atPath: folder)
            let parent = (folder as NSString).deletingLastPathComponent
            if (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true { try? FileManager.default.removeItem(atPath: parent) }
            logger.info("\(folder) removed (step 6 and the threshold no longer need it; --keep-intermediates keeps it)")
        } catch { logger.warning("could not remove \(folder): \(error)") }
    }

    /// Step 6 for one fold: patches resampled with the round-1 maps of the fold's training images
    /// (`trainMapsFolder(round: 1)`, made by the caller), then a second training (from the round-1 weights
    /// unless `options.refineFromScratch`). Returns the round-2 model.
    func refine(fold f: FoldStep.FoldSummary, trainItems: [DatasetImage], model: (weights: String, mean: String),
                progress: @escaping (Int) -> Void) throws -> (weights: String, mean: String) {
        let mapDir = trainMapsFolder(round: 1, fold: f.fold)
        // A finished round-2 model needs none of step 6's maps, patches or database again (a re-run used to
        // rebuild them for folds that were done).
        let dir = path("round2", "fold_\(f.fold)")
        let paths = DatabaseStep.paths(fold: f.fold, patchSize: options.patches.patchSize, in: dir + "/db")
        let done = "\(dir)/model_iter_\(options.training.iterations).caffemodel"
        if isRefined(fold: f.fold) {
            logger.info("fold \(f.fold): round-2 model \(done) exists: step 6 and training skipped")
            progress(options.training.iterations)
            return (done, paths.mean)
        }
        var step = RefineStep(patches: options.patches)
        step.writeDatabase = options.writeDatabases
        step.storePixels = options.writeDatabases
        step.pixelsPerImage = options.refinePixelsPerImage
        step.fixedPerImage = options.refineFixedPerImage
        step.backend = options.backend
        step.databaseSeed = options.seed &+ 2
        step.csvOrder = options.csvOrder
        step.logger = logger
        logger.info("fold \(f.fold): step 6, second-round patches")
        let refined = try step.run(fold: f.fold, images: trainItems, root: dataset.root, maps: mapDir,
                                   patchFolder: dir + "/patches", databaseFolder: dir + "/db")
        let round1Test = DatabaseStep.paths(fold: f.fold, patchSize: options.patches.patchSize, in: path("round1", "db")).test
        var data: (() throws -> [Phase: ShuffledPatches])?
        if !options.writeDatabases {
            // Step 6's patches are cut from the training images when read; the mean is written first.
            let images = LazyValue<ShuffledPatches>(), seed = step.databaseSeed
            let records = {
                try images.get {
                    DatabaseStep(seed: seed).records(fold: f.fold, train: true, images:
                        try ImagePatches.load(refined.index, folder: dir + "/patches", dataset: self.dataset))
                }
            }
            if !FileManager.default.fileExists(atPath: refined.mean) {
                try records().writeMean(to: refined.mean)
            }
            data = { [.train: try records(), .test: try self.round1Records(fold: f, train: false)] }
        }
        logger.info("fold \(f.fold): step 6, training round 2")
        return (try train(round: 2, fold: f.fold, trainDB: refined.database, testDB: round1Test, mean: refined.mean,
                          initialWeights: options.refineFromScratch ? nil : model.weights, patches: data, progress: progress), refined.mean)
    }
}
