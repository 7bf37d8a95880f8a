import Foundation
import MitosisImage
import MitosisSupport

/// Checks a dataset folder the way `mitosis dataset check` reports it.
///
/// Per image: the image decodes; `PP_II.csv` exists and parses, centres inside the image; `_pc.png` and
/// `_cmask.png`, when present, have the image's size; the CSV centres fall on the `_pc` circles (and if
/// they only do with x and y swapped, says so). Missing helper masks are notes: the tool makes them.
public enum DatasetCheck {
    /// Checks every image; images are read in parallel on all cores.
    public static func run(_ dataset: Dataset, order: CSVOrder = .xy,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) -> DatasetReport {
        progress?(0, dataset.images.count)
        let results = ParallelMap.map(dataset.images, progress: progress) { image -> (DatasetReport.ImageSummary?, [DatasetReport.Finding]) in
            return check(image, order: order)
        }
        var report = DatasetReport()
        for (summary, findings) in results {
            if let summary { report.images.append(summary) }
            report.findings += findings
        }
        for path in dataset.skipped {
            report.findings.append(.init(severity: .warning, path: path,
                                         message: "skipped: no '_' in the name, so no patient id (expected PP_II)"))
        }
        return report
    }

    /// Checks one image and its companion files.
    public static func check(_ item: DatasetImage, order: CSVOrder) -> (DatasetReport.ImageSummary?, [DatasetReport.Finding]) {
        var findings: [DatasetReport.Finding] = []
        func add(_ s: DatasetReport.Severity, _ path: String, _ m: String) {
            findings.append(.init(severity: s, path: path, message: m))
        }
        let image: Image
        do { image = try ImageIO.read(item.imagePath) } catch {
            add(.error, item.imagePath, "\(error)")
            return (nil, findings)
        }
        var centres: [Centre] = []
        if let csv = item.csvPath {
            do { centres = try CentreCSV.read(csv, order: order, imageSize: (image.width, image.height)) } catch {
                add(.error, csv, "\(error)")
            }
        } else {
            add(.error, item.imagePath, "no \(item.name).csv. HINT: write an empty \(item.name).csv for an image without mitoses.")
        }
        if let pcPath = item.pcPath {
            checkHelper(pcPath, image: image, add: add)
            if let pc = try? ImageIO.read(pcPath), pc.width == image.width, pc.height == image.height {
                findings += checkCentres(centres, onCircles: pc, csv: item.csvPath ?? item.imagePath)
            }
        } else {
            add(.note, item.imagePath, "no \(item.name)_pc.png: it will be made from the CSV (disks of radius 8 px)")
        }
        if let cmask = item.cmaskPath {
            checkHelper(cmask, image: image, add: add)
        } else {
            add(.note, item.imagePath, "no \(item.name)_cmask.png: it will be made from the blue ratio")
        }
        return (.init(image: item, width: image.width, height: image.height, mitoses: centres.count), findings)
    }

    private static func checkHelper(_ path: String, image: Image,
                                    add: (DatasetReport.Severity, String, String) -> Void) {
        do {
            let mask = try ImageIO.read(path)
            if mask.width != image.width || mask.height != image.height {
                add(.error, path, "is \(mask.width)x\(mask.height) but the image is \(image.width)x\(image.height)")
            }
        } catch {
            add(.error, path, "\(error)")
        }
    }

    /// The CSV centres must lie on non-zero pixels of the `_pc` helper image.
    static func checkCentres(_ centres: [Centre], onCircles pc: Image, csv: String) -> [DatasetReport.Finding] {
        guard !centres.isEmpty else { return [] }
        func hits(swapped: Bool) -> Int {
            centres.filter { c in
                let x = Int((swapped ? c.y : c.x).rounded()), y = Int((swapped ? c.x : c.y).rounded())
                guard x >= 0, y >= 0, x < pc.width, y < pc.height else { return false }
                return (0..<pc.channels).contains { pc[x, y, $0] != 0 }
            }.count
        }
        let straight = hits(swapped: false)
        if straight == centres.count { return [] }
        let swapped = hits(swapped: true)
        if swapped == centres.count {
            return [.init(severity: .error, path: csv, message:
                "the centres fall on the _pc circles only with x and y swapped: the CSV looks row-first. HINT: pass --csv-order yx.")]
        }
        return [.init(severity: .warning, path: csv, message:
            "\(centres.count - straight) of \(centres.count) centres are not on a _pc circle")]
    }
}
