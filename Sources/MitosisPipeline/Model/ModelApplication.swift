import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisSupport

/// `mitosis apply`: a model bundle on any images. Per image: the averaged models' map (`maps/`), the peaks
/// at the bundle's threshold as `<name>.csv` (x,y,logodds in the image's own pixels), `<name>.geojson`
/// (QuPath) and `<name>_overlay.png`; then mitotic counts and grades per image and per patient (the part of
/// the name before the first '_', as in the tutorial's layout; the whole name when there is none) in
/// `grades.csv`, `grades.json` and on stdout.
///
/// An image that fails is reported and the others go on; an image whose outputs exist is not mapped again
/// (re-running resumes), so only the grades are recomputed.
public struct ModelApplication {
    public var bundle: ModelBundle
    public var bundleFolder: String
    public var output: String
    /// The images' pixel size in um (nil: from their files, else 0.25 with a warning, as `run`).
    public var imagePixelSize: Double?
    /// Overrides the bundle's threshold (log-odds).
    public var threshold: Float?
    public var writeOverlays = true
    public var logger = Logger(label: "mitosis.apply")

    public init(bundleFolder: String, output: String) throws {
        self.bundleFolder = FilePaths.absolute(bundleFolder)
        self.output = FilePaths.absolute(output)
        bundle = try ModelBundle.read(folder: self.bundleFolder)
    }

    /// What `run` did.
    public struct Result {
        public var grades: GradeReport
        public var detections: [String: Int] = [:]
        public var mapped = 0, skipped = 0
        public var failures: [(path: String, error: Error)] = []
    }

    /// Maps, detects and grades `images` (paths). `progress` gets (done, total).
    public func run(_ images: [String], progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        guard !images.isEmpty else { throw PipelineError.invalidOption("no images to apply the model to") }
        let paths = images.map { FilePaths.absolute($0) }
        let size = try ImagePixelSize.resolve(given: imagePixelSize, images: paths)
        let note = ImagePixelSize.message(size.micronsPerPixel, size.source)
        if note.warning { logger.warning("\(note.text)") } else { logger.info("\(note.text)") }
        let scale = size.micronsPerPixel / bundle.workingPixelSize
        let threshold = self.threshold ?? bundle.threshold.value
        logger.info("model \(bundleFolder): \(bundle.models.count) model(s) averaged, threshold \(threshold) (\(bundle.threshold.unit)), working \(bundle.workingPixelSize) um/px (scale \(String(format: "%.4g", scale)))")
        var job = ProbabilityMapJob(outputFolder: URL(fileURLWithPath: output + "/maps"), scale: scale, useMask: bundle.maps.mask)
        if bundle.maps.stainNormalization != nil { job.stainNormalization = StainNormalizer() }
        var detection = bundle.detection(imagePixelSize: size.micronsPerPixel)
        // Peaks below the detector's probability floor are never found: a lower threshold lowers the floor.
        detection.detector.threshold = min(detection.detector.threshold, MapDetection.probability(logOdds: threshold))
        let claim = try OutputFolderLock(folder: output, purpose: "mitosis apply")
        defer { withExtendedLifetime(claim) {} }
        let models = LazyValue<ProbabilityMapper>()
        var result = Result(grades: GradeReport(detectionsFolder: output, imagesFolder: "", fieldAreaMM2: bundle.fieldAreaMM2,
                                                pixelSizeMicrons: size.micronsPerPixel, threshold: threshold, patients: [], images: [], warnings: []))
        var rows: [GradeReport.ImageGrade] = []
        progress?(0, paths.count)
        for (k, path) in paths.enumerated() {
            defer { progress?(k + 1, paths.count) }
            let url = URL(fileURLWithPath: path)
            let name = url.deletingPathExtension().lastPathComponent
            // The models are read when the first image needs them; a model that does not load (weights that
            // do not fit the net, a damaged file) stops the batch with its error once, not once per image.
            let mapper = job.isDone(url) ? nil
                : try models.get { try ProbabilityMapper(models: bundle.classifiers(folder: bundleFolder), options: bundle.mapOptions) }
            do {
                if let mapper {
                    try job.run(url, mapper: mapper)
                    result.mapped += 1
                } else { result.skipped += 1 }
                let found = try detection.detect(mapAt: job.outputs(for: url).prob.path).filter { $0.score >= threshold }
                let entries = found.map { DetectionWriter.Entry($0.point, score: $0.score) }
                try DetectionWriter.writeCSV(entries, to: "\(output)/\(name).csv")
                try DetectionWriter.writeGeoJSON(entries, to: "\(output)/\(name).geojson")
                let header = try ImageHeader.size(of: path)
                if writeOverlays {
                    let image = try ImageIO.read(path).convertedToChannels(3)
                    let working: Image = try image.resized(scale: scale)
                    let points: [Point] = found.map { $0.point }
                    let overlay = Overlay.draw(on: working, truth: [], detections: points, scale: scale)
                    try ImageIO.write(overlay, to: "\(output)/\(name)_overlay.png")
                }
                let grade = MitoticGrade(count: found.count, pixels: header.width * header.height, pixelSizeMicrons: size.micronsPerPixel,
                                         fieldAreaMM2: bundle.fieldAreaMM2)
                rows.append(GradeReport.ImageGrade(name: name, patient: Self.patient(of: name), width: header.width, height: header.height,
                                                   fields: grade.areaMM2 / bundle.fieldAreaMM2, grade: grade))
                result.detections[name] = found.count
            } catch {
                logger.error("\(path): \(error)")
                result.failures.append((path, error))
            }
        }
        let pooled = MitoticGrade.perPatient(rows.map { ImageCount(name: $0.name, patient: $0.patient, count: $0.grade.count, pixels: $0.width * $0.height) },
                                             pixelSizeMicrons: size.micronsPerPixel, fieldAreaMM2: bundle.fieldAreaMM2)
        result.grades.patients = pooled.map { GradeReport.PatientGradeRow(patient: $0.patient, images: $0.images, fields: $0.grade.areaMM2 / bundle.fieldAreaMM2, grade: $0.grade) }
        result.grades.images = rows
        result.grades.imagesFolder = Set(paths.map { ($0 as NSString).deletingLastPathComponent }).sorted().joined(separator: ", ")
        result.grades.warnings = result.failures.map { "\($0.path): not graded (\($0.error))" }
        if !rows.isEmpty {
            try AnalysisFiles.writeJSON(result.grades, to: output + "/grades.json")
            try AtomicFile.write(result.grades.csv(), to: output + "/grades.csv")
        }
        return result
    }

    /// The patient of an image name: the part before the first '_' (the tutorial's layout), else the name.
    public static func patient(of name: String) -> String {
        guard let i = name.firstIndex(of: "_"), i != name.startIndex else { return name }
        return String(name[..<i])
    }
}
