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

    @Option(help: "Count only detections with score >= T (default: all detections in the files).")
    var threshold: Float?

    @Option(name: .shortAndLong, help: "Write grades.csv and grades.json here.")
    var output: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard fieldArea > 0, fieldArea.isFinite else { throw ValidationError("--field-area must be positive (got \(fieldArea))") }
        guard pixelSize > 0, pixelSize.isFinite else { throw ValidationError("--pixel-size must be positive (got \(pixelSize))") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
    }

    struct ImageGrade: Encodable {
        var name: String
        var patient: String
        var width: Int
        var height: Int
        var fields: Double
        var grade: MitoticGrade
    }

    struct PatientGradeRow: Encodable {
        var patient: String
        var images: [String]
        var fields: Double
        var grade: MitoticGrade
    }

    struct Grades: Encodable {
        var detectionsFolder: String
        var imagesFolder: String
        var fieldAreaMM2: Double
        var pixelSizeMicrons: Double
        var threshold: Float?
        var cutOffs = "score 1 / 2 / 3 for <= 7 / 8-14 / >= 15 mitoses per 10 HPF"
        var patients: [PatientGradeRow]
        var images: [ImageGrade]
        var warnings: [String]
    }

    func run() throws {
        let log = global.logger("grade")
        var warnings: [String] = []
        func warn(_ message: String) { warnings.append(message); log.warning("\(message)") }
        let dataset = try Dataset.discover(at: images)
        let available = try AnalysisFiles.csvStems(in: detections, role: "--detections",
                                                   hint: "pass the output folder of `mitosis detect` (or the detections folder of `mitosis run`).")
        var rows: [ImageGrade] = [], errors: [String] = []
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
                rows.append(ImageGrade(name: item.name, patient: item.patient, width: size.width, height: size.height,
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
        let patients = pooled.map { PatientGradeRow(patient: $0.patient, images: $0.images, fields: $0.grade.areaMM2 / fieldArea, grade: $0.grade) }
        let grades = Grades(detectionsFolder: detections, imagesFolder: images, fieldAreaMM2: fieldArea, pixelSizeMicrons: pixelSize,
                            threshold: threshold, patients: patients, images: rows, warnings: warnings)
        print(render(grades))
        if let output {
            try AnalysisFiles.writeJSON(grades, to: AnalysisFiles.join(output, "grades.json"))
            try AtomicFile.write(csv(grades), to: AnalysisFiles.join(output, "grades.csv"))
            log.info("wrote grades.csv and grades.json to \(output)")
        }
    }

    static let header = ["mitoses", "area mm^2", "HPF", "per mm^2", "per 10 HPF", "score"]

    func cells(_ g: MitoticGrade, fields: Double) -> [String] {
        ["\(g.count)", String(format: "%.4f", g.areaMM2), String(format: "%.2f", fields), String(format: "%.2f", g.perMM2),
         String(format: "%.1f", g.per10HPF), "\(g.score)"]
    }

    func render(_ g: Grades) -> String {
        var out: [String] = []
        let filter = threshold.map { "detections with score >= \(AnalysisFiles.score($0))" } ?? "all detections"
        out.append("field \(AnalysisFiles.number(fieldArea)) mm^2, pixel \(AnalysisFiles.number(pixelSize)) um; \(filter); \(g.cutOffs)")
        out.append("")
        out.append(AnalysisFiles.table(["image", "patient", "size"] + GradeCommand.header,
                                       g.images.map { [$0.name, $0.patient, "\($0.width)x\($0.height)"] + cells($0.grade, fields: $0.fields) },
                                       left: [0, 1]))
        out.append("")
        out.append(AnalysisFiles.table(["patient", "images"] + GradeCommand.header,
                                       g.patients.map { [$0.patient, "\($0.images.count)"] + cells($0.grade, fields: $0.fields) }))
        if abs(fieldArea - 0.196) > 1e-9 {
            out.append("note: the score cut-offs were set for a field of 0.196 mm^2; with --field-area \(AnalysisFiles.number(fieldArea)) check that they still apply")
        }
        let small = g.patients.filter { $0.fields < 10 }
        if !small.isEmpty {
            out.append("note: \(small.count) of \(g.patients.count) patients have less than 10 HPF of image; their counts per 10 HPF are extrapolated")
        }
        return out.joined(separator: "\n")
    }

    func csv(_ g: Grades) -> String {
        var text = "level,name,patient,images,width,height,mitoses,area_mm2,hpf,per_mm2,per_10hpf,score\n"
        func line(_ fields: [String], _ grade: MitoticGrade, _ hpf: Double) {
            text += (fields + ["\(grade.count)", String(format: "%.6f", grade.areaMM2), String(format: "%.4f", hpf),
                               String(format: "%.4f", grade.perMM2), String(format: "%.4f", grade.per10HPF), "\(grade.score)"])
                .joined(separator: ",") + "\n"
        }
        for r in g.images {
            line(["image", AnalysisFiles.csvField(r.name), AnalysisFiles.csvField(r.patient), "1", "\(r.width)", "\(r.height)"], r.grade, r.fields)
        }
        for p in g.patients {
            line(["patient", AnalysisFiles.csvField(p.patient), AnalysisFiles.csvField(p.patient), "\(p.images.count)", "", ""], p.grade, p.fields)
        }
        return text
    }
}
