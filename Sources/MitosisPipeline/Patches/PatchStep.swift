import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisSupport

/// Step 1 over a whole dataset: cuts every image's patches into the patch store (one archive per image)
/// and writes the index. Images run in parallel on all cores; each image's random choices come from its own
/// stream of the seed, so the output does not depend on the number of threads. Re-running resumes: images
/// whose archive exists are not cut again. A failing image is reported and the others go on.
public struct PatchStep {
    public var options: PatchOptions
    public var csvOrder: CSVOrder = .xy
    /// Patients to leave out, in addition to those without mitoses when `excludeWithoutMitoses`.
    public var excludePatients: Set<String> = []
    /// The author drops patient 10, which has no mitoses: by default every patient without any is left out.
    public var excludeWithoutMitoses = true
    /// Also write each patch as a PNG named like the tutorial's, into this folder.
    public var pngFolder: String?
    public var logger = Logger(label: "mitosis.patches")
    /// Step 6 instead of step 1: resample with the round-1 map `<probabilityFolder>/<name>_prob.png`.
    public var refinement: (sampler: RefinementSampler, probabilityFolder: String)?
    /// Store each patch's pixels (false: sample-only archives, 11 bytes a patch instead of 3,083; readers
    /// cut the pixels from the dataset's images, which the index then names).
    public var storePixels = true

    /// The options recorded in the index (their angle lists name the patches).
    var indexOptions: PatchOptions { refinement?.sampler.roundOptions ?? options }

    public init(options: PatchOptions) { self.options = options }

    /// Runs step 1 from `dataset` into `folder`.
    public func run(_ dataset: Dataset, into folder: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> PatchIndex {
        if !storePixels && pngFolder != nil {
            throw PipelineError.invalidOption("PNG patches need stored pixels (storePixels)")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try checkOptions(in: folder)
        // Mitoses per image from the CSVs decide which patients take part.
        let counts = try dataset.images.map { item in
            try item.csvPath.map { try CentreCSV.read($0, order: csvOrder, imageSize: ImageHeader.size(of: item.imagePath)).count } ?? 0
        }
        var perPatient: [String: Int] = [:]
        for (item, n) in zip(dataset.images, counts) { perPatient[item.patient, default: 0] += n }
        var excluded: [String: String] = [:]
        for p in excludePatients { excluded[p] = "excluded on request" }
        if excludeWithoutMitoses {
            for (p, n) in perPatient where n == 0 && excluded[p] == nil {
                excluded[p] = "no annotated mitoses (the author drops such patients, e.g. patient 10)"
            }
        }
        for (p, why) in excluded.sorted(by: { Dataset.patientOrder($0.key, $1.key) }) where perPatient[p] != nil {
            logger.info("patient \(p) left out: \(why)")
        }
        let work = zip(dataset.images, counts).filter { excluded[$0.0.patient] == nil }
        var extractor = PatchExtractor(options: options)
        extractor.cutsPixels = storePixels
        progress?(0, work.count)
        let results: [Result<PatchIndex.Entry, Error>] = ParallelMap.map(Array(work), progress: progress) { item, mitoses in
            return Result { try self.process(item, mitoses: mitoses, extractor: extractor, folder: folder) }
        }
        var entries: [PatchIndex.Entry] = []
        var failed = 0
        for ((item, _), result) in zip(work, results) {
            switch result {
            case .success(let e): entries.append(e)
            case .failure(let error):
                failed += 1
                logger.error("\(item.imagePath): \(error)")
            }
        }
        let index = PatchIndex(options: indexOptions, entries: entries, excluded: excluded,
                               dataset: storePixels ? nil : FilePaths.absolute(dataset.root))
        try index.write(to: folder)
        if failed > 0 { throw PipelineError.partialFailure(failed: failed, total: work.count) }
        return index
    }

    /// Cuts (or, when its archive exists, re-reads) one image.
    func process(_ item: DatasetImage, mitoses: Int, extractor: PatchExtractor, folder: String) throws -> PatchIndex.Entry {
        let archive = item.name + ".patches"
        let path = folder + "/" + archive
        let patches: [Patch]
        if FileManager.default.fileExists(atPath: path) {
            patches = try PatchArchive.read(path).patches
        } else {
            let inputs = try extractor.inputs(for: item, order: csvOrder)
            if let (sampler, folder) = refinement {
                let path = folder + "/" + item.name + "_prob.png"
                let map = try ProbabilityImages.readMap(path)
                guard map.width == inputs.image.width, map.height == inputs.image.height else {
                    throw PipelineError.badFile(path: path, reason: "is \(map.width)x\(map.height); the working image is \(inputs.image.width)x\(inputs.image.height). HINT: re-run `mitosis probmap`.")
                }
                var sampler = sampler
                sampler.cutsPixels = storePixels
                patches = sampler.extract(inputs, probability: map, stream: SeededRandom.stream(item.name))
            } else {
                patches = extractor.extract(inputs, stream: SeededRandom.stream(item.name))
            }
            try PatchArchive.write(patches, size: options.patchSize, to: path, pixels: storePixels)
        }
        if let png = pngFolder { try writePNGs(patches, image: item.name, to: png) }
        let o = indexOptions
        let positives = patches.filter { $0.label == 1 }.count / max(o.positiveAngles.count, 1)
        let negatives = patches.filter { $0.label == 0 }.count / max(o.negativeAngles.count, 1)
        return .init(name: item.name, patient: item.patient, mitoses: mitoses,
                     positives: positives, negatives: negatives, archive: archive)
    }

    func writePNGs(_ patches: [Patch], image: String, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let s = options.patchSize
        for p in patches {
            try ImageIO.write(Image(width: s, height: s, channels: 3, pixels: p.pixels), to: folder + "/" + p.fileName(image: image))
        }
    }

    /// A patch folder belongs to one set of options: resuming with others would mix patches.
    func checkOptions(in folder: String) throws {
        try FolderSettings.claim(indexOptions, at: folder + "/options.json", what: "patch size, scale, angles, negative ratio, radii, interpolation, stain normalization or seed")
    }
}
