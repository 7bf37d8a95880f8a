import Foundation
import MitosisSupport

/// The mitotic counts and scores of `mitosis grade`: per image and per patient (pooled), with the text and
/// CSV it prints and writes.
public struct GradeReport: Encodable, Sendable {
    /// One image: its size, the fields of view its area makes, and its grade.
    public struct ImageGrade: Encodable, Sendable {
        public var name: String
        public var patient: String
        public var width: Int
        public var height: Int
        public var fields: Double
        public var grade: MitoticGrade
        public init(name: String, patient: String, width: Int, height: Int, fields: Double, grade: MitoticGrade) {
            self.name = name; self.patient = patient; self.width = width; self.height = height; self.fields = fields; self.grade = grade
        }
    }

    /// One patient, graded on all its images together.
    public struct PatientGradeRow: Encodable, Sendable {
        public var patient: String
        public var images: [String]
        public var fields: Double
        public var grade: MitoticGrade
        public init(patient: String, images: [String], fields: Double, grade: MitoticGrade) {
            self.patient = patient; self.images = images; self.fields = fields; self.grade = grade
        }
    }

    public var detectionsFolder: String
    public var imagesFolder: String
    public var fieldAreaMM2: Double
    public var pixelSizeMicrons: Double
    public var threshold: Float?
    public var cutOffs = "score 1 / 2 / 3 for <= 7 / 8-14 / >= 15 mitoses per 10 HPF"
    public var patients: [PatientGradeRow]
    public var images: [ImageGrade]
    public var warnings: [String]

    public init(detectionsFolder: String, imagesFolder: String, fieldAreaMM2: Double, pixelSizeMicrons: Double,
                threshold: Float?, patients: [PatientGradeRow], images: [ImageGrade], warnings: [String]) {
        self.detectionsFolder = detectionsFolder; self.imagesFolder = imagesFolder; self.fieldAreaMM2 = fieldAreaMM2
        self.pixelSizeMicrons = pixelSizeMicrons; self.threshold = threshold; self.patients = patients
        self.images = images; self.warnings = warnings
    }

    public static let header = ["mitoses", "area mm^2", "HPF", "per mm^2", "per 10 HPF", "score"]

    func cells(_ g: MitoticGrade, fields: Double) -> [String] {
        ["\(g.count)", String(format: "%.4f", g.areaMM2), String(format: "%.2f", fields), String(format: "%.2f", g.perMM2),
         String(format: "%.1f", g.per10HPF), "\(g.score)"]
    }

    /// The report as the text `mitosis grade` prints.
    public func text() -> String {
        let g = self
        var out: [String] = []
        let filter = g.threshold.map { "detections with score >= \(AnalysisFiles.score($0))" } ?? "all detections"
        out.append("field \(AnalysisFiles.number(g.fieldAreaMM2)) mm^2, pixel \(AnalysisFiles.number(g.pixelSizeMicrons)) um; \(filter); \(g.cutOffs)")
        out.append("")
        out.append(AnalysisFiles.table(["image", "patient", "size"] + GradeReport.header,
                                       g.images.map { [$0.name, $0.patient, "\($0.width)x\($0.height)"] + cells($0.grade, fields: $0.fields) },
                                       left: [0, 1]))
        out.append("")
        out.append(AnalysisFiles.table(["patient", "images"] + GradeReport.header,
                                       g.patients.map { [$0.patient, "\($0.images.count)"] + cells($0.grade, fields: $0.fields) }))
        if abs(g.fieldAreaMM2 - 0.196) > 1e-9 {
            out.append("note: the score cut-offs were set for a field of 0.196 mm^2; with --field-area \(AnalysisFiles.number(g.fieldAreaMM2)) check that they still apply")
        }
        let small = g.patients.filter { $0.fields < 10 }
        if !small.isEmpty {
            out.append("note: \(small.count) of \(g.patients.count) patients have less than 10 HPF of image; their counts per 10 HPF are extrapolated")
        }
        return out.joined(separator: "\n")
    }

    /// One CSV row per image and per patient.
    public func csv() -> String {
        let g = self
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
