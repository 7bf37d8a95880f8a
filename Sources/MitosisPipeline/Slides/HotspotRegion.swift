import Foundation
import MitosisSupport

/// The counting region of a mitotic hotspot: the area a pathologist counts mitoses in, in the most active part
/// of the tumour.
///
/// Written on the command line as `fields:N@A` (N square high-power fields of A mm^2, laid out as the rows x
/// columns factorisation of N closest to square, tried in both orientations; `fields:N` means A = 0.196),
/// `area:A` (a square of A mm^2), `rect:WxH` (a W mm wide, H mm tall rectangle, placed as given, not
/// rotated) or `circle:D` (a disc of diameter D mm). The default, `fields:10@0.196`, is the tutorial seed's
/// 10 HPF: 2 x 5 fields of 0.443 mm, 0.885 x 2.214 mm, 1.96 mm^2. Encoded (`Codable`) as that text.
public enum HotspotRegion: Sendable, Equatable, CustomStringConvertible {
    /// `count` square fields of `fieldAreaMM2` mm^2 each.
    case fields(count: Int, fieldAreaMM2: Double)
    /// A square of `areaMM2` mm^2.
    case square(areaMM2: Double)
    /// A `widthMM` x `heightMM` rectangle, not rotated.
    case rectangle(widthMM: Double, heightMM: Double)
    /// A disc of `diameterMM` mm.
    case circle(diameterMM: Double)

    /// Area of one high-power field in mm^2 that the seed's cut-offs assume.
    public static let standardFieldAreaMM2 = 0.196
    /// 10 HPF of 0.196 mm^2 (1.96 mm^2), the seed's counting area.
    public static let standard = HotspotRegion.fields(count: 10, fieldAreaMM2: standardFieldAreaMM2)

    /// The forms `init(parsing:)` accepts, for messages and `--help`.
    public static let acceptedForms = "fields:N@A (N fields of A mm^2, e.g. fields:10@0.196), area:A (a square of A mm^2), "
        + "rect:WxH (W x H mm, not rotated) or circle:D (diameter D mm)"

    /// Parses the command-line form (see the type's summary); throws `PipelineError.invalidOption` naming the
    /// text and the accepted forms.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let bad = PipelineError.invalidOption("hotspot region '\(text)': expected \(HotspotRegion.acceptedForms)")
        guard let colon = trimmed.firstIndex(of: ":") else { throw bad }
        let kind = trimmed[..<colon], value = String(trimmed[trimmed.index(after: colon)...])
        func positive(_ s: Substring) throws -> Double {
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite, v > 0 else { throw bad }
            return v
        }
        switch kind {
        case "fields":
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let n = Int(parts[0].trimmingCharacters(in: .whitespaces)), n >= 1
            else { throw bad }
            self = .fields(count: n, fieldAreaMM2: parts.count == 2 ? try positive(parts[1]) : HotspotRegion.standardFieldAreaMM2)
        case "area":
            self = .square(areaMM2: try positive(Substring(value)))
        case "rect":
            let parts = value.split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw bad }
            self = .rectangle(widthMM: try positive(parts[0]), heightMM: try positive(parts[1]))
        case "circle":
            self = .circle(diameterMM: try positive(Substring(value)))
        default:
            throw bad
        }
    }

    /// The command-line form, which `init(parsing:)` reads back exactly (e.g. `fields:10@0.196`).
    public var argument: String {
        switch self {
        case let .fields(n, a): return "fields:\(n)@\(Self.number(a))"
        case let .square(a): return "area:\(Self.number(a))"
        case let .rectangle(w, h): return "rect:\(Self.number(w))x\(Self.number(h))"
        case let .circle(d): return "circle:\(Self.number(d))"
        }
    }

    /// Area in mm^2.
    public var areaMM2: Double {
        switch self {
        case let .fields(n, a): return Double(n) * a
        case let .square(a): return a
        case let .rectangle(w, h): return w * h
        case let .circle(d): return Double.pi * d * d / 4
        }
    }

    /// The area as a number of 0.196 mm^2 high-power fields (10 for the default).
    public var fieldEquivalents: Double { areaMM2 / Self.standardFieldAreaMM2 }

    /// For `fields`: the rows x columns factorisation of the count closest to square, rows <= columns
    /// (10 -> 2 x 5, 12 -> 3 x 4, 7 -> 1 x 7); nil for the other forms.
    public var fieldLayout: (rows: Int, columns: Int)? {
        guard case let .fields(n, _) = self else { return nil }
        let rows = (1...max(1, Int(Double(n).squareRoot()))).last { n % $0 == 0 } ?? 1
        return (rows, n / rows)
    }

    /// A short human description, e.g. "10 fields of 0.196 mm^2 (2 x 5, 0.885 x 2.214 mm, 1.96 mm^2)".
    public var description: String {
        let area = Self.format(areaMM2)
        switch self {
        case let .fields(n, a):
            let (rows, columns) = fieldLayout!, side = a.squareRoot()
            return "\(n) fields of \(Self.format(a)) mm^2 (\(rows) x \(columns), \(Self.format(Double(rows) * side)) x "
                + "\(Self.format(Double(columns) * side)) mm, either way round, \(area) mm^2)"
        case let .square(a):
            return "square of \(area) mm^2 (\(Self.format(a.squareRoot())) mm side)"
        case let .rectangle(w, h):
            return "\(Self.format(w)) x \(Self.format(h)) mm rectangle (\(area) mm^2, as given, not rotated)"
        case let .circle(d):
            return "circle of \(Self.format(d)) mm diameter (\(area) mm^2)"
        }
    }

    /// The rectangles to try, width x height in mm, in order of preference on a tie: `fields` as rows x
    /// columns (wide) then transposed (tall, unless square); one for `area` and `rect`; none for a circle.
    var rectangles: [_HotspotRectangle] {
        switch self {
        case let .fields(_, a):
            let (rows, columns) = fieldLayout!, side = a.squareRoot()
            let wide = _HotspotRectangle(widthMM: Double(columns) * side, heightMM: Double(rows) * side, fieldRows: rows, fieldColumns: columns)
            let tall = _HotspotRectangle(widthMM: wide.heightMM, heightMM: wide.widthMM, fieldRows: columns, fieldColumns: rows)
            return rows == columns ? [wide] : [wide, tall]
        case let .square(a):
            return [_HotspotRectangle(widthMM: a.squareRoot(), heightMM: a.squareRoot(), fieldRows: nil, fieldColumns: nil)]
        case let .rectangle(w, h):
            return [_HotspotRectangle(widthMM: w, heightMM: h, fieldRows: nil, fieldColumns: nil)]
        case .circle:
            return []
        }
    }

    /// Shortest text that reads back as the same Double, without a trailing ".0".
    private static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }

    /// Up to 4 significant digits, for descriptions.
    static func format(_ v: Double) -> String {
        let s = String(format: "%.4g", v)
        return s
    }
}

extension HotspotRegion: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(argument)
    }
}

/// One rectangle to place, in mm, with its field layout when it is made of fields. Not API.
struct _HotspotRectangle: Sendable, Equatable {
    var widthMM: Double
    var heightMM: Double
    var fieldRows: Int?
    var fieldColumns: Int?
}
