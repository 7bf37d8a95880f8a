import Foundation

/// A mitosis centre in image pixel coordinates (x = column, y = row, 0-based as written in the CSV).
public struct Centre: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// Column order of a centre CSV: `x,y` (column first, the tutorial's) or `y,x` (row first).
public enum CSVOrder: String, Sendable, CaseIterable, Codable {
    case xy, yx
}

/// Reads the tutorial's `PP_II.csv` files: one mitosis centre per line.
///
/// Tolerates a header line (a first line whose first two fields are not numbers), blank lines, extra columns,
/// spaces and CRLF line ends. Any other line that is not two numbers, or a centre outside the image, is an
/// error naming the file and the 1-based line.
public enum CentreCSV {
    /// Parses CSV text. `file` is only used in error messages.
    /// - Parameter imageSize: when given, centres must satisfy `0 <= x < width` and `0 <= y < height`.
    public static func parse(_ text: String, file: String, order: CSVOrder = .xy,
                             imageSize: (width: Int, height: Int)? = nil) throws -> [Centre] {
        var centres: [Centre] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so split on any newline character.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = fields.prefix(2).compactMap { Double($0) }
            guard fields.count >= 2, numbers.count == 2, numbers.allSatisfy(\.isFinite) else {
                if lineNumber == 1 && !looksNumeric(fields.first ?? "") { continue }  // header
                throw DatasetError.badCSVLine(file: file, line: lineNumber, text: line)
            }
            let centre = order == .xy ? Centre(x: numbers[0], y: numbers[1]) : Centre(x: numbers[1], y: numbers[0])
            if let size = imageSize,
               !(centre.x >= 0 && centre.x < Double(size.width) && centre.y >= 0 && centre.y < Double(size.height)) {
                throw DatasetError.centreOutsideImage(file: file, line: lineNumber, x: centre.x, y: centre.y,
                                                      width: size.width, height: size.height)
            }
            centres.append(centre)
        }
        return centres
    }

    /// Reads and parses a CSV file.
    public static func read(_ path: String, order: CSVOrder = .xy,
                            imageSize: (width: Int, height: Int)? = nil) throws -> [Centre] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.unreadableFile(path: path, reason: "cannot read the centre CSV")
        }
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw DatasetError.unreadableFile(path: path, reason: "not a text file")
        }
        return try parse(text, file: path, order: order, imageSize: imageSize)
    }

    /// CSV text for centres, `x,y` per line with integer coordinates when they are whole numbers.
    public static func format(_ centres: [Centre]) -> String {
        centres.map { "\(formatNumber($0.x)),\(formatNumber($0.y))\n" }.joined()
    }

    static func formatNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    private static func looksNumeric(_ field: String) -> Bool {
        Double(field) != nil
    }
}
