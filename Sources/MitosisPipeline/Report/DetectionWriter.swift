import Foundation
import MitosisData
import MitosisSupport
import MitosisVisuals

/// Detections as files other tools read: CSV for scripts and spreadsheets, GeoJSON for QuPath.
///
/// All coordinates are in the original (40x) image's pixels, x = column and y = row from the top-left corner,
/// which is also QuPath's image coordinate system (no y flip, no geographic CRS).
public enum DetectionWriter {
    /// One detection: centre in 40x pixels and its score in log-odds of the smoothed P(mitosis).
    public struct Entry: Sendable, Codable, Equatable {
        public var x: Double
        public var y: Double
        public var score: Float
        public init(x: Double, y: Double, score: Float) { self.x = x; self.y = y; self.score = score }
        public init(_ point: Point, score: Float) { self.init(x: point.x, y: point.y, score: score) }
    }

    /// QuPath object types: annotations are editable by hand, detections are lighter and locked.
    public enum ObjectType: String, Sendable, Codable { case annotation, detection }

    // MARK: CSV

    /// The CSV header: the third column is named after its unit, the log-odds of the smoothed P(mitosis)
    /// (`MapDetection.scoreUnit`), the unit of every detection `mitosis run` and `mitosis detect` write.
    public static let header = "x,y,\(MapDetection.scoreUnit)"

    /// `header`, then one row per entry (coordinates with up to 2 decimals, score with 4).
    public static func csv(_ entries: [Entry]) -> String {
        var out = header + "\n"
        for e in entries { out += "\(number(e.x)),\(number(e.y)),\(String(format: "%.4f", e.score))\n" }
        return out
    }

    /// Writes `csv(entries)` atomically.
    public static func writeCSV(_ entries: [Entry], to path: String) throws {
        try AtomicFile.write(csv(entries), to: path)
    }

    /// Parses a file written by `csv(_:)` (header required; blank lines ignored).
    /// - Throws: `PipelineError.badFile` naming the line that is not `x,y,logodds`, and for the header
    ///   `x,y,score` of earlier versions, whose unit depended on the command that wrote it.
    public static func parseCSV(_ text: String, path: String = "<memory>") throws -> [Entry] {
        // Blank lines are skipped but still counted, so errors give the line number an editor shows.
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if lines.first == "x,y,score" {
            throw PipelineError.badFile(path: path, reason: "header x,y,score: written by an earlier mitosis, whose `detect` scored in P(mitosis) and `run` in log-odds. HINT: run `mitosis detect` (or `mitosis run`) again to rewrite it with x,y,\(MapDetection.scoreUnit)")
        }
        guard lines.first == header else {
            throw PipelineError.badFile(path: path, reason: "line 1 must be the header \(header)")
        }
        lines.removeFirst()
        return try lines.enumerated().filter { !$0.element.isEmpty }.map { k, line in
            let f = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard f.count == 3, let x = f[0], let y = f[1], let s = f[2] else {
                throw PipelineError.badFile(path: path, reason: "line \(k + 2) is not \(header): \(line)")
            }
            return Entry(x: x, y: y, score: Float(s))
        }
    }

    // MARK: GeoJSON

    /// A GeoJSON `FeatureCollection` of `Point` features in QuPath's import format (File > Import objects, or
    /// drag the file onto the viewer):
    /// `{"type":"Feature","geometry":{"type":"Point","coordinates":[x,y]},"properties":{"objectType":...,
    /// "classification":{"name":...,"color":[r,g,b]},"measurements":{"P(mitosis)":p,"log-odds":score}}}`:
    /// each entry's score is log-odds (`MapDetection`), shown with the probability it stands for.
    /// - Parameters:
    ///   - objectType: `.detection` (default) for model output, `.annotation` for ground truth to edit.
    ///   - className: the QuPath class, `Mitosis` by default.
    ///   - color: the class colour QuPath shows.
    public static func geoJSON(_ entries: [Entry], objectType: ObjectType = .detection, className: String = "Mitosis",
                               color: RGBColor = RGBColor(255, 72, 0)) -> String {
        let features = pointFeatures(entries, objectType: objectType, className: className, color: color)
        return "{\"type\":\"FeatureCollection\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
    }

    /// The `Point` features of `geoJSON(...)`, one per entry, for collections that add features of their own
    /// (a slide's hotspot polygon).
    public static func pointFeatures(_ entries: [Entry], objectType: ObjectType = .detection, className: String = "Mitosis",
                                     color: RGBColor = RGBColor(255, 72, 0)) -> [String] {
        let classification = "{\"name\":\(jsonString(className)),\"color\":[\(color.r),\(color.g),\(color.b)]}"
        return entries.map { e in
            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(number(e.x)),\(number(e.y))]},"
                + "\"properties\":{\"objectType\":\"\(objectType.rawValue)\",\"classification\":\(classification),"
                + "\"measurements\":{\"P(mitosis)\":\(String(format: "%.6f", MapDetection.probability(logOdds: e.score))),"
                + "\"log-odds\":\(String(format: "%.4f", e.score))}}}"
        }
    }

    /// Writes `geoJSON(...)` atomically.
    public static func writeGeoJSON(_ entries: [Entry], to path: String, objectType: ObjectType = .detection,
                                    className: String = "Mitosis", color: RGBColor = RGBColor(255, 72, 0)) throws {
        try AtomicFile.write(geoJSON(entries, objectType: objectType, className: className, color: color), to: path)
    }

    /// A coordinate: integral values without decimals, others with up to 2.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }  // 26.999 -> "27.00" -> "27", not "27."
        return s == "-0" ? "0" : s
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
