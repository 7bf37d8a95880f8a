import Foundation
import MitosisCaffe
import MitosisSupport

/// A trained detector as a folder users can copy and apply: `manifest.json` plus each model's deploy net,
/// weights and mean image. `mitosis run` writes one from its final round's fold models (`OUT/model`);
/// `mitosis model import-caffe` makes one from released Caffe files (the tutorial author's five models).
/// `mitosis apply` maps images with the averaged models, detects at the bundle's threshold and grades.
///
/// Everything needed to reproduce the detections is in the manifest: the working resolution the nets expect,
/// how maps are computed, the detection radii and the threshold with its unit. Paths inside the manifest
/// are relative to the bundle folder, so a bundle can be moved.
public struct ModelBundle: Codable, Sendable, Equatable {
    public static let manifestName = "manifest.json"
    public static let formatName = "mitosis-model"
    public static let currentVersion = 1

    public var format = formatName
    public var version = currentVersion

    /// One patch classifier of the bundle (files relative to the bundle folder).
    public struct Member: Codable, Sendable, Equatable {
        public var name: String
        public var net: String
        public var weights: String
        public var mean: String
        /// This model's own threshold when it was chosen alone (a fold's, on its training images), log-odds.
        public var threshold: Float?
        public init(name: String, net: String, weights: String, mean: String, threshold: Float? = nil) {
            self.name = name; self.net = net; self.weights = weights; self.mean = mean; self.threshold = threshold
        }
    }
    /// The models, averaged (P(mitosis) per pixel) when applied.
    public var models: [Member]

    /// The resolution the nets take, in um per pixel (images are resized to it).
    public var workingPixelSize: Double

    /// How maps are computed.
    public struct Maps: Codable, Sendable, Equatable {
        public var mode: String
        public var stride: Int
        public var mirrorAverage: Bool
        /// Evaluate only inside the dilated blue-ratio mask.
        public var mask: Bool
        /// "macenko" when the models were trained on Macenko-normalised images, else nil.
        public var stainNormalization: String?
        public init(mode: String = "dense", stride: Int = 1, mirrorAverage: Bool = false, mask: Bool = true, stainNormalization: String? = nil) {
            self.mode = mode; self.stride = stride; self.mirrorAverage = mirrorAverage; self.mask = mask
            self.stainNormalization = stainNormalization
        }
    }
    public var maps: Maps

    /// Peak detection on the working-resolution map (radii in working pixels).
    public var detector: PeakDetector

    /// The detection threshold of the averaged models.
    public struct Threshold: Codable, Sendable, Equatable {
        public var value: Float
        public var unit = "log-odds of the smoothed P(mitosis)"
        /// How it was chosen, in words.
        public var chosen: String
        public init(value: Float, chosen: String) { self.value = value; self.chosen = chosen }
    }
    public var threshold: Threshold

    /// High-power field area for grading, in mm^2.
    public var fieldAreaMM2: Double

    /// Where the models come from.
    public struct Provenance: Codable, Sendable, Equatable {
        public var tool: String
        public var created: String
        /// The training dataset (absolute path at the time) or the imported files' origin.
        public var source: String
        public var command: String?
        public var patients: Int?
        public var images: Int?
        public var mitoses: Int?
        public var folds: Int?
        public var seed: UInt64?
        public var round: Int?
        public var iterations: Int?
        public var imagePixelSize: Double?
        /// Cross-validated figures of the models (each fold's model on its held-out patients).
        public var crossValidated: Figures?
        public var notes: [String] = []
        public init(tool: String, created: String, source: String) { self.tool = tool; self.created = created; self.source = source }
    }
    public struct Figures: Codable, Sendable, Equatable {
        public var f1Mean: Double?, f1Std: Double?, precisionMean: Double?, recallMean: Double?, pooledF1: Double?
        public init(f1Mean: Double?, f1Std: Double?, precisionMean: Double?, recallMean: Double?, pooledF1: Double?) {
            self.f1Mean = f1Mean; self.f1Std = f1Std; self.precisionMean = precisionMean; self.recallMean = recallMean; self.pooledF1 = pooledF1
        }
    }
    public var provenance: Provenance

    public init(models: [Member], workingPixelSize: Double, maps: Maps, detector: PeakDetector, threshold: Threshold,
                fieldAreaMM2: Double, provenance: Provenance) {
        self.models = models; self.workingPixelSize = workingPixelSize; self.maps = maps; self.detector = detector
        self.threshold = threshold; self.fieldAreaMM2 = fieldAreaMM2; self.provenance = provenance
    }

    // MARK: - Files

    /// Reads and checks `folder/manifest.json` and that every model file it names is there.
    /// - Throws: `PipelineError` naming the manifest or the missing file, with what to do.
    public static func read(folder: String) throws -> ModelBundle {
        let manifest = FilePaths.absolute(folder) + "/" + manifestName
        guard let data = FileManager.default.contents(atPath: manifest) else {
            throw PipelineError.missingInput(path: manifest, hint: "give a model bundle folder: `mitosis run` writes OUT/model, `mitosis model import-caffe` makes one from Caffe files")
        }
        let bundle: ModelBundle
        do { bundle = try JSONDecoder().decode(ModelBundle.self, from: data) } catch {
            throw PipelineError.badFile(path: manifest, reason: "not a model manifest (\(AnalysisFiles.decodingProblem(error)))")
        }
        guard bundle.format == formatName else {
            throw PipelineError.badFile(path: manifest, reason: "format is '\(bundle.format)', expected '\(formatName)'")
        }
        guard bundle.version <= currentVersion else {
            throw PipelineError.badFile(path: manifest, reason: "bundle version \(bundle.version) is newer than this mitosis reads (\(currentVersion)). HINT: update mitosis")
        }
        guard !bundle.models.isEmpty else { throw PipelineError.badFile(path: manifest, reason: "the bundle lists no models") }
        guard bundle.workingPixelSize > 0 else { throw PipelineError.badFile(path: manifest, reason: "workingPixelSize must be positive") }
        guard ProbabilityMapOptions.Mode(rawValue: bundle.maps.mode) != nil else {
            throw PipelineError.badFile(path: manifest, reason: "maps.mode '\(bundle.maps.mode)' is not dense or exact")
        }
        for m in bundle.models {
            for file in [m.net, m.weights, m.mean] where !FileManager.default.fileExists(atPath: bundle.path(file, in: folder)) {
                throw PipelineError.missingInput(path: bundle.path(file, in: folder), hint: "\(manifest) names it for model '\(m.name)'; the bundle folder is incomplete")
            }
        }
        return bundle
    }

    /// A file of the bundle: relative names are taken from the bundle folder.
    public func path(_ file: String, in folder: String) -> String {
        file.hasPrefix("/") ? file : FilePaths.absolute(folder) + "/" + file
    }

    /// Writes the manifest atomically into `folder` (the model files must already be there).
    public func writeManifest(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: FilePaths.absolute(folder) + "/" + Self.manifestName)
    }

    /// Copies `source` into the bundle folder as `name` (atomically), returning `name`.
    @discardableResult
    static func copy(_ source: String, to folder: String, as name: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw PipelineError.missingInput(path: source, hint: "a model file to put in the bundle")
        }
        try AtomicFile.write(data, to: folder + "/" + name)
        return name
    }

    // MARK: - Use

    /// The bundle's classifiers, loaded and checked.
    public func classifiers(folder: String) throws -> [ClassifierModel] {
        try models.map { m in
            try ClassifierModel.load(net: URL(fileURLWithPath: path(m.net, in: folder)), weights: URL(fileURLWithPath: path(m.weights, in: folder)),
                                     mean: URL(fileURLWithPath: path(m.mean, in: folder)))
        }
    }

    /// The map options the manifest describes.
    public var mapOptions: ProbabilityMapOptions {
        ProbabilityMapOptions(mode: ProbabilityMapOptions.Mode(rawValue: maps.mode) ?? .dense, mirrorAverage: maps.mirrorAverage,
                              stride: maps.stride)
    }

    /// Detection at this bundle's radii on maps of images with `imagePixelSize` (um).
    public func detection(imagePixelSize: Double) -> MapDetection {
        MapDetection(detector: detector, scale: imagePixelSize / workingPixelSize)
    }
}
