import Foundation
import MitosisImage

/// What `mitosis dataset check` found: patients, images, mitoses, and problems.
public struct DatasetReport: Sendable {
    /// How serious a finding is.
    public enum Severity: String, Sendable { case error, warning, note }

    /// One finding, naming the file it concerns.
    public struct Finding: Sendable, CustomStringConvertible {
        public var severity: Severity
        public var path: String
        public var message: String
        public var description: String { "\(severity.rawValue): \(path): \(message)" }
    }

    /// Per-image summary.
    public struct ImageSummary: Sendable {
        public var image: DatasetImage
        public var width: Int
        public var height: Int
        public var mitoses: Int
    }

    public var images: [ImageSummary] = []
    public var findings: [Finding] = []

    /// True when any finding is an error.
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }

    /// Mitoses per patient, in patient order.
    public var mitosesPerPatient: [(patient: String, images: Int, mitoses: Int)] {
        let grouped = Dictionary(grouping: images, by: \.image.patient)
        return grouped.keys.sorted(by: Dataset.patientOrder).map { p in
            (p, grouped[p]!.count, grouped[p]!.reduce(0) { $0 + $1.mitoses })
        }
    }
}
