import Foundation
import MitosisImage
import MitosisSupport

/// The one way from a P(mitosis) map on disk to scored mitosis centres in the original image's pixels,
/// used by `mitosis run` (held-out and training-image maps) and `mitosis detect`, so that a threshold means
/// the same thing whichever wrote the detections.
///
/// Every score is in **log-odds** of the disk-smoothed P(mitosis), ln(sP / (1 - sP)) (`scoreUnit`): with
/// the float map (`<name>_logodds.tif`, preferred when it sits beside `<name>_prob.png`) through
/// `PeakDetector.detect(logOdds:)`, which keeps the order of confident peaks; with only the 8-bit PNG, the
/// same peaks of the smoothed P, converted. `detector.threshold` stays a probability (0...1).
public struct MapDetection: Sendable, Equatable {
    public var detector: PeakDetector
    /// Map scale relative to the original image (0.5: maps at 20x of 40x images).
    public var scale: Double

    /// The unit of every score, as the detections CSV names its column.
    public static let scoreUnit = "logodds"
    /// Log-odds are clamped to +/- this (P rounds to 0 or 1 beyond it).
    public static let logOddsLimit: Float = 1000

    public init(detector: PeakDetector = PeakDetector(), scale: Double = 0.5) {
        self.detector = detector
        self.scale = scale
    }

    /// A detection in original-image pixels with its log-odds score, and where it lies on the map.
    public struct Found: Sendable, Equatable {
        public var point: Point
        /// Log-odds of the smoothed P(mitosis) at the peak.
        public var score: Float
        /// The peak's map pixel.
        public var mapX: Int
        public var mapY: Int
    }

    /// Detections of the map at `path` (`<name>_prob.png` or `<name>_logodds.tif`), in descending score.
    /// - Throws: `PipelineError.badFile` naming the map when it cannot be read as a P(mitosis) map.
    public func detect(mapAt path: String) throws -> [Found] { try detectWithMapSize(mapAt: path).found }

    /// `detect(mapAt:)` and the map's size in pixels (to check it against its image).
    public func detectWithMapSize(mapAt path: String) throws -> (found: [Found], width: Int, height: Int) {
        let peaks: [Detection]
        let width: Int, height: Int
        do {
            if let logOdds = try ProbabilityImages.readLogOdds(path) {
                peaks = detector.detect(logOdds: logOdds)
                (width, height) = (logOdds.width, logOdds.height)
            } else {
                let p = try ProbabilityImages.readMap(path)
                peaks = detector.detect(p).map { Detection(x: $0.x, y: $0.y, score: Self.logOdds($0.score)) }
                (width, height) = (p.width, p.height)
            }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.badFile(path: path, reason: "\(error) (expected a P(mitosis) map written by `mitosis probmap`: <name>_prob.png or <name>_logodds.tif)")
        }
        return (peaks.map { Found(point: fullResolution(x: $0.x, y: $0.y), score: $0.score, mapX: $0.x, mapY: $0.y) }, width, height)
    }

    /// Original-image coordinates of the centre of map pixel (x, y): ((x + 0.5) / scale - 0.5, ...).
    public func fullResolution(x: Int, y: Int) -> Point {
        Point(x: (Double(x) + 0.5) / scale - 0.5, y: (Double(y) + 0.5) / scale - 0.5)
    }

    /// ln(p / (1 - p)), clamped to +/- `logOddsLimit`.
    public static func logOdds(_ p: Float) -> Float {
        let v = Float(log(Double(p)) - log1p(-Double(p)))
        return v.isNaN ? 0 : min(logOddsLimit, max(-logOddsLimit, v))
    }

    /// The log-odds threshold equal to a probability threshold.
    public static func logOdds(threshold p: Float) -> Float { logOdds(min(max(p, 1e-30), 1 - 1e-7)) }

    /// P(mitosis) of a log-odds score.
    public static func probability(logOdds s: Float) -> Float { 1 / (1 + expf(-s)) }
}
