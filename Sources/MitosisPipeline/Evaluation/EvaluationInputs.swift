import Foundation
import MitosisData

/// What `mitosis evaluate` scores: each ground-truth CSV of a dataset folder with its detection CSV.
public enum EvaluationInputs {
    /// The images of `truth` (centre CSVs) with the detections of `detections` (`<name>.csv`,
    /// `x,y,logodds`). An image without a detection file keeps its centres (they count as misses); files
    /// that cannot be read are listed in `errors`, the rest are still loaded.
    public static func load(truth: String, detections: String, csvOrder: CSVOrder)
        throws -> (images: [EvaluationImage], warnings: [String], errors: [String]) {
        var warnings: [String] = []
        func warn(_ message: String) { warnings.append(message) }
        let truthFiles = try GroundTruthFiles.list(truth)
        let detectionNames = try AnalysisFiles.csvStems(in: detections, role: "--detections",
                                                        hint: "pass the output folder of `mitosis detect` (or the detections folder of `mitosis run`).")
        var images: [EvaluationImage] = [], errors: [String] = []
        for t in truthFiles {
            do {
                let centres = try CentreCSV.read(t.path, order: csvOrder).map { Point(x: $0.x, y: $0.y) }
                var image = EvaluationImage(name: t.name, patient: t.patient, truth: centres, detectionFile: false)
                if detectionNames.contains(t.name) {
                    image.detectionFile = true
                    image.detections = try AnalysisFiles.readDetections(AnalysisFiles.join(detections, t.name + ".csv"))
                        .map { (Point(x: $0.x, y: $0.y), $0.score) }
                } else if !centres.isEmpty {
                    warn("\(t.name): no detection file \(t.name).csv in \(detections); its \(centres.count) \(centres.count == 1 ? "mitosis counts" : "mitoses count") as false negatives")
                } else {
                    warn("\(t.name): no detection file \(t.name).csv in \(detections) (no mitoses in the ground truth either)")
                }
                images.append(image)
            } catch {
                errors.append("\(error)")
            }
        }
        let extra = detectionNames.subtracting(truthFiles.map(\.name)).filter { AnalysisFiles.looksLikeImageName($0) }.sorted()
        if !extra.isEmpty {
            warn("\(extra.count) detection files have no ground truth in \(truth) and are ignored: \(extra.prefix(10).joined(separator: ", "))\(extra.count > 10 ? ", ..." : "")")
        }
        return (images, warnings, errors)
    }
}
