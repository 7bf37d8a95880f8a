import ArgumentParser
import Foundation
import Logging
import MitosisData
import MitosisImage
import MitosisPipeline
import MitosisSupport

/// `mitosis grade`: mitotic count per 10 HPF and per mm^2 and the mitotic score, per patient and per image.
struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Mitoses per 10 HPF and per mm^2 and the mitotic score (1-3), per patient and per image, from detection CSVs.",
        discussion: """
            Counts the detections in <name>.csv of --detections (x,y,logodds at 40x, as `mitosis detect` writes \
            them) for every image <name>.tif/.png/.jpg of --images (a dataset folder in the tutorial's layout; \
            patient = the part of the name before the first '_'). An image's area is width x height x \
            pixel-size^2, read from its file. Mitoses per 10 HPF = count / area x 10 x field area; score 1 / 2 / 3 \
            for <= 7 / 8-14 / >= 15 per 10 HPF (rounded to a whole mitosis; the cut-offs fit a field of 0.196 \
            mm^2). Each patient is graded on all its images together. When the area is smaller than 10 fields the \
            count per 10 HPF is extrapolated (the HPF column says from how many fields). Images without a \
            detection file are left out, area included, with a warning.
            """)

    @Option(help: "Folder of detection CSVs (<name>.csv with x,y,logodds at 40x).")
    var detections: String

    @Option(help: "Dataset folder of the original images (their sizes give the areas).")
    var images: String

    @Option(help: "High-power field area in mm^2.")
    var fieldArea = 0.196

    @Option(help: "Pixel size of the images in um (0.25 at 40x).")
    var pixelSize = 0.25

    @Option(help: "Count only detections with score >= T, in log-odds as the CSVs (default: all); write a negative T as --threshold=-1.5.")
    var threshold: Float?

    @Option(name: .shortAndLong, help: "Write grades.csv and grades.json here.")
    var output: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard fieldArea > 0, fieldArea.isFinite else { throw ValidationError("--field-area must be positive (got \(fieldArea))") }
        guard pixelSize > 0, pixelSize.isFinite else { throw ValidationError("--pixel-size must be positive (got \(pixelSize))") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
    }

    func run() throws {
        let log = global.logger("grade")
        var warnings: [String] = []
        func warn(_ message: String) { warnings.append(message); log.warning("\(message)") }
        let dataset = try Dataset.discover(at: images)
        let available = try AnalysisFiles.csvStems(in: detections, role: "--detections",
                                                   hint: "pass the output folder of `mitosis detect` (or the detections folder of `mitosis run`).")
        var rows: [GradeReport.ImageGrade] = [], errors: [String] = []
        let progress = ProgressBar("grade", total: dataset.images.count)
        for item in dataset.images {
            defer { progress.advance() }
            guard available.contains(item.name) else {
                warn("\(item.name): no detection file \(item.name).csv in \(detections); left out of the grade (its area too)")
                continue
            }
            do {
                let entries = try AnalysisFiles.readDetections(AnalysisFiles.join(detections, item.name + ".csv"))
                let count = entries.filter { threshold == nil || $0.score >= threshold! }.count
                let size = try ImageHeader.size(of: item.imagePath)
                let grade = MitoticGrade(count: count, pixels: size.width * size.height, pixelSizeMicrons: pixelSize,
                                         fieldAreaMM2: fieldArea)
                rows.append(GradeReport.ImageGrade(name: item.name, patient: item.patient, width: size.width, height: size.height,
                                       fields: grade.areaMM2 / fieldArea, grade: grade))
            } catch {
                errors.append("\(error)")
            }
        }
        progress.finish()
        let extra = available.subtracting(dataset.images.map(\.name)).filter { AnalysisFiles.looksLikeImageName($0) }.sorted()
        if !extra.isEmpty {
            warn("\(extra.count) detection files have no image in \(images) and are ignored: \(extra.prefix(10).joined(separator: ", "))\(extra.count > 10 ? ", ..." : "")")
        }
        guard errors.isEmpty else {
            for e in errors { log.error("\(e)") }
            log.error("\(errors.count) files could not be read; no grade was computed")
            throw ExitCode.failure
        }
        guard !rows.isEmpty else {
            throw AnalysisError("\(detections): none of the \(dataset.images.count) images of \(images) has a detection file <name>.csv here. HINT: pass the folder `mitosis detect` wrote for these images.")
        }
        let pooled = MitoticGrade.perPatient(rows.map { ImageCount(name: $0.name, patient: $0.patient, count: $0.grade.count, pixels: $0.width * $0.height) },
                                             pixelSizeMicrons: pixelSize, fieldAreaMM2: fieldArea)
        let patients = pooled.map { GradeReport.PatientGradeRow(patient: $0.patient, images: $0.images, fields: $0.grade.areaMM2 / fieldArea, grade: $0.grade) }
        let grades = GradeReport(detectionsFolder: detections, imagesFolder: images, fieldAreaMM2: fieldArea, pixelSizeMicrons: pixelSize,
                            threshold: threshold, patients: patients, images: rows, warnings: warnings)
        print(grades.text())
        if let output {
            try AnalysisFiles.writeJSON(grades, to: AnalysisFiles.join(output, "grades.json"))
            try AtomicFile.write(grades.csv(), to: AnalysisFiles.join(output, "grades.csv"))
            log.info("wrote grades.csv and grades.json to \(output)")
        }
    }
}
