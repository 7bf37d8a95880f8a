import Foundation

/// One image of a dataset in the tutorial's layout, with the paths of its companion files.
public struct DatasetImage: Sendable, Equatable, Codable {
    /// The file stem, `PP_II`.
    public var name: String
    /// The part of the name before the first `_`.
    public var patient: String
    /// The H&E image (`.tif`, `.tiff`, `.png`, `.jpg`, `.jpeg`).
    public var imagePath: String
    /// `PP_II.csv` with mitosis centres, if present.
    public var csvPath: String?
    /// `PP_II_pc.png` helper mask (disks at the centres), if present.
    public var pcPath: String?
    /// `PP_II_cmask.png` dilated blue-ratio mask, if present.
    public var cmaskPath: String?
}

/// A folder of images in the tutorial's layout (see README, "Dataset layout").
///
/// `PP_II.tif` images with `PP_II.csv` mitosis centres, optionally `PP_II_pc.png` and `PP_II_cmask.png`.
/// The patient id is the part of the name before the first `_`.
public struct Dataset: Sendable {
    /// Extensions accepted for images, lower-case.
    public static let imageExtensions: Set<String> = ["tif", "tiff", "png", "jpg", "jpeg"]
    /// Suffixes of files that belong to an image and are not images themselves.
    public static let companionSuffixes = ["_pc", "_cmask", "_prob", "_class", "_overlay", "_heatmap"]

    /// The dataset folder.
    public var root: String
    /// Images sorted by name.
    public var images: [DatasetImage]
    /// Files that look like images but whose names have no `_` (no patient id); they are skipped.
    public var skipped: [String]

    /// A dataset of given images (e.g. a subset of another).
    public init(root: String, images: [DatasetImage], skipped: [String] = []) {
        self.root = root
        self.images = images
        self.skipped = skipped
    }

    /// Patient ids in sorted order (numeric ids sort numerically).
    public var patients: [String] {
        Array(Set(images.map(\.patient))).sorted(by: Dataset.patientOrder)
    }

    /// Images of one patient, by name.
    public func images(of patient: String) -> [DatasetImage] {
        images.filter { $0.patient == patient }
    }

    /// Lists a dataset folder (not recursive).
    public static func discover(at root: String) throws -> Dataset {
        let fm = FileManager.default
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: root) } catch {
            throw DatasetError.unreadableFolder(path: root, reason: (error as NSError).localizedDescription)
        }
        let present = Set(names)
        var images: [DatasetImage] = []
        var skipped: [String] = []
        for file in names.sorted() {
            let url = URL(fileURLWithPath: file)
            let ext = url.pathExtension.lowercased()
            let stem = url.deletingPathExtension().lastPathComponent
            guard imageExtensions.contains(ext), !file.hasPrefix("."),
                  !companionSuffixes.contains(where: { stem.hasSuffix($0) }) else { continue }
            guard let underscore = stem.firstIndex(of: "_"), underscore != stem.startIndex else {
                skipped.append(join(root, file)); continue
            }
            func companion(_ suffix: String) -> String? {
                present.contains(stem + suffix) ? join(root, stem + suffix) : nil
            }
            images.append(DatasetImage(
                name: stem, patient: String(stem[..<underscore]), imagePath: join(root, file),
                csvPath: companion(".csv"), pcPath: companion("_pc.png"), cmaskPath: companion("_cmask.png")))
        }
        // Two files with the same stem (01_01.tif and 01_01.png) would share companions: keep the first.
        var seen = Set<String>()
        images = images.filter { seen.insert($0.name).inserted }
        guard !images.isEmpty else { throw DatasetError.noImages(path: root) }
        return Dataset(root: root, images: images, skipped: skipped)
    }

    /// Numeric ids compare as numbers ("2" < "10"), others as strings.
    public static func patientOrder(_ a: String, _ b: String) -> Bool {
        if let x = Int(a), let y = Int(b), x != y { return x < y }
        return a < b
    }

    static func join(_ dir: String, _ file: String) -> String {
        dir.hasSuffix("/") ? dir + file : dir + "/" + file
    }
}
