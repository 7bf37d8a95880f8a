import Dispatch
import Foundation
import MitosisData
import MitosisImage
import MitosisSupport

/// What `SyntheticCohort.write` produced.
public struct CohortSummary: Sendable, Equatable {
    /// One written image.
    public struct Entry: Sendable, Equatable {
        /// File stem, `PP_II`.
        public var name: String
        /// Patient number, 1-based.
        public var patient: Int
        /// Image number within the patient, 1-based.
        public var index: Int
        /// The figures written to `PP_II.csv`.
        public var figures: [MitosisFigure]
    }

    /// The folder the cohort was written to.
    public var directory: String
    /// The spec it was generated from.
    public var spec: CohortSpec
    /// Every image, in patient then image order.
    public var entries: [Entry]
    /// The patients without mitoses (see `CohortSpec.mitosisFreePatients`).
    public var mitosisFreePatients: [Int]

    /// Total number of annotated mitoses.
    public var mitosisCount: Int { entries.reduce(0) { $0 + $1.figures.count } }
}

/// Errors of `SyntheticCohort.write`.
public enum SynthError: Error, CustomStringConvertible {
    /// The output folder could not be created.
    case cannotCreateFolder(path: String, reason: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)
    /// The folder holds something other than a finished cohort of the requested spec.
    case otherCohort(path: String)

    public var description: String {
        switch self {
        case let .cannotCreateFolder(path, reason):
            return "cannot create the cohort folder \(path): \(reason). HINT: check the parent folder exists and is writable."
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason). HINT: check free disk space and permissions."
        case let .otherCohort(path):
            return "\(path) holds a cohort made with other settings (or other files). HINT: use another output folder, or delete it."
        }
    }
}

extension SyntheticCohort {
    /// The pixel size recorded in the cohort's TIFFs: the tutorial's 40x, about 0.25 um.
    public static let pixelSizeMicrons = 0.25

    /// Radius of the filled disks of the `_pc` helper mask, pixels at 40x.
    public static let helperDiskRadius = 8

    /// Generates the cohort and writes it to `directory` in the tutorial's layout: `PP_II.tif` (RGB,
    /// `tiffCompression`), `PP_II.csv` (`x,y` integer centres, one per line, no header) and `PP_II_pc.png`
    /// (8-bit gray, 255 in a disk of radius `helperDiskRadius` around each centre, 0 elsewhere); with
    /// `candidateMasks`, also `PP_II_cmask.png`, the dilated blue-ratio mask (`HelperMasks.candidateMask`).
    ///
    /// Images are generated in parallel on all cores; the files are byte-identical whatever the thread
    /// count. Each file is written atomically (temporary name, then rename).
    /// - Parameter progress: called after each image with (images done, total), from a worker thread.
    @discardableResult
    public static func write(_ spec: CohortSpec, to directory: String,
                             tiffCompression: ImageWriteOptions.TIFFCompression = .lzw, candidateMasks: Bool = false,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CohortSummary {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SynthError.cannotCreateFolder(path: directory, reason: error.localizedDescription)
        }
        let profiles = PatientProfile.all(for: spec)
        let jobs = (1...spec.patients).flatMap { p in (1...spec.imagesPerPatient).map { (p, $0) } }
        let results = ParallelMap.map(jobs, progress: progress) { job -> Result<CohortSummary.Entry, Error> in
            let (patient, index) = job
            return Result {
                let (image, figures) = render(spec: spec, profile: profiles[patient - 1], patient: patient, index: index)
                let name = spec.imageName(patient: patient, index: index)
                let base = (directory as NSString).appendingPathComponent(name)
                try ImageIO.write(image, to: base + ".tif", options: ImageWriteOptions(tiffCompression: tiffCompression,
                                                                                        tiffPixelSizeMicrons: pixelSizeMicrons))
                try ImageIO.write(helperMask(width: spec.width, height: spec.height, figures: figures),
                                  to: base + "_pc.png", options: ImageWriteOptions(pngCompressionLevel: 9))
                try writeText(csv(figures), to: base + ".csv")
                if candidateMasks {
                    try ImageIO.write(Image(mask: HelperMasks.candidateMask(for: image)), to: base + "_cmask.png")
                }
                return CohortSummary.Entry(name: name, patient: patient, index: index, figures: figures)
            }
        }
        let entries = try results.map { try $0.get() }
        return CohortSummary(directory: directory, spec: spec, entries: entries,
                             mitosisFreePatients: spec.mitosisFreePatients)
    }

    /// The cohort of `spec` in `directory`, written unless a finished one of the same spec is there: a
    /// marker file (`.complete`, the spec's description) is written last, so an interrupted cohort is written
    /// again. Returns nil when the cohort was reused.
    /// - Throws: `SynthError.otherCohort` when `directory` holds anything but files of this spec's images
    ///   (another cohort's marker, another spec's images, other files); the folder is left as it is.
    public static func writeUnlessDone(_ spec: CohortSpec, to directory: String, candidateMasks: Bool,
                                       progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CohortSummary? {
        let marker = (directory as NSString).appendingPathComponent(".complete")
        let stamp = spec.stamp(candidateMasks: candidateMasks)
        if (try? String(contentsOfFile: marker, encoding: .utf8)) == stamp { return nil }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder) {
            // An interrupted write of this spec is written again; anything else is not overwritten.
            let ours = Set((1...spec.patients).flatMap { p in (1...spec.imagesPerPatient).flatMap { i in
                let name = spec.imageName(patient: p, index: i)
                return [".tif", ".csv", "_pc.png", "_cmask.png"].map { name + $0 }
            } })
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            if !isFolder.boolValue || contents.contains(".complete") || contents.contains(where: { !$0.hasPrefix(".") && !ours.contains($0) }) {
                throw SynthError.otherCohort(path: directory)
            }
        }
        let summary = try write(spec, to: directory, candidateMasks: candidateMasks, progress: progress)
        try writeText(stamp, to: marker)
        return summary
    }

    /// CSV text of centres: `x,y` per line (x = column), integers, newline-terminated; empty if none.
    public static func csv(_ figures: [MitosisFigure]) -> String {
        figures.map { "\($0.x),\($0.y)\n" }.joined()
    }

    /// The `_pc` helper mask: 8-bit gray, 255 within `helperDiskRadius` (inclusive) of each centre.
    public static func helperMask(width: Int, height: Int, figures: [MitosisFigure]) -> Image {
        var mask = Image(width: width, height: height, channels: 1)
        let r = helperDiskRadius
        for f in figures {
            for y in max(f.y - r, 0)...min(f.y + r, height - 1) {
                for x in max(f.x - r, 0)...min(f.x + r, width - 1) {
                    let dx = x - f.x, dy = y - f.y
                    if dx * dx + dy * dy <= r * r { mask[x, y, 0] = 255 }
                }
            }
        }
        return mask
    }

    static func writeText(_ text: String, to path: String) throws {
        do { try AtomicFile.write(text, to: path) } catch {
            throw SynthError.cannotWrite(path: path, reason: (error as? FileWriteError)?.reason ?? "\(error)")
        }
    }
}
