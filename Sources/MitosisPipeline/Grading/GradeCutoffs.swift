import Foundation
import MitosisSupport

/// The mitotic-count cut-offs of the score 1 / 2 / 3 of a counting region (a hotspot).
///
/// Two kinds. The seed's (`GradeCutoffs.seed`): <= 7 / 8-14 / >= 15 mitoses per 10 HPF of 0.196 mm^2
/// (1.96 mm^2), which scale with the area counted: the count is taken to 10 HPF as `count * 1.96 / area`,
/// rounded to the nearest whole mitosis, and scored by `MitoticGrade.score(per10HPF:)` (so `area:0.98` scores
/// 3 mitoses as 1 and 4 as 2). Or a pair given by the user (`--cutoffs a,b`), which are counts in the counting
/// region itself: 1 if count <= a, 2 if count <= b, else 3, whatever its area.
public struct GradeCutoffs: Sendable, Equatable, CustomStringConvertible {
    /// The highest count that scores 1.
    public let score1AtMost: Int
    /// The highest count that scores 2; anything above scores 3.
    public let score2AtMost: Int
    /// The area in mm^2 the cut-offs are counts in, scaled to the area counted: 1.96 (10 HPF of 0.196 mm^2)
    /// for the seed's; nil when they are counts in the counting region itself.
    public let referenceAreaMM2: Double?

    /// The seed's: <= 7 / 8-14 / >= 15 per 10 HPF of 0.196 mm^2, scaled to the area counted.
    public static let seed = GradeCutoffs(score1AtMost: 7, score2AtMost: 14, referenceAreaMM2: 10 * HotspotRegion.standardFieldAreaMM2)

    /// Cut-offs in the counting region's own counts: 1 if count <= `score1AtMost`, 2 if count <=
    /// `score2AtMost`, else 3. Requires 0 <= score1AtMost < score2AtMost (`init(parsing:)` checks user input).
    public init(score1AtMost: Int, score2AtMost: Int) {
        precondition(0 <= score1AtMost && score1AtMost < score2AtMost, "cut-offs must satisfy 0 <= a < b")
        self.init(score1AtMost: score1AtMost, score2AtMost: score2AtMost, referenceAreaMM2: nil)
    }

    private init(score1AtMost: Int, score2AtMost: Int, referenceAreaMM2: Double?) {
        self.score1AtMost = score1AtMost
        self.score2AtMost = score2AtMost
        self.referenceAreaMM2 = referenceAreaMM2
    }

    /// Parses `a,b` (two whole numbers, 0 <= a < b: counts in the counting region) or `seed`; throws
    /// `PipelineError.invalidOption` naming the text and the accepted forms.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "seed" { self = .seed; return }
        let parts = t.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], 0 <= a, a < b else {
            throw PipelineError.invalidOption(
                "cut-offs '\(text)': expected a,b: two whole numbers of mitoses in the counting region, 0 <= a < b "
                    + "(score 1 if count <= a, 2 if count <= b, else 3; e.g. 7,14), or 'seed' for <= 7 / 8-14 / >= 15 per 10 HPF")
        }
        self.init(score1AtMost: a, score2AtMost: b)
    }

    /// The score 1-3 of `count` mitoses counted in `countedAreaMM2` mm^2, for a counting region of
    /// `regionAreaMM2` mm^2. The two areas are equal unless the region did not fit in the slide and the whole
    /// slide's tissue was counted instead; then user cut-offs are applied to the count scaled to the region's
    /// area (rounded), as the seed's are to 10 HPF.
    public func score(count: Int, countedAreaMM2: Double, regionAreaMM2: Double) -> Int {
        guard countedAreaMM2 > 0 else { return 1 }
        if let reference = referenceAreaMM2 {
            return MitoticGrade.score(per10HPF: Double(count) * reference / countedAreaMM2)
        }
        let n = countedAreaMM2 == regionAreaMM2 ? count : Int((Double(count) * regionAreaMM2 / countedAreaMM2).rounded())
        return n <= score1AtMost ? 1 : (n <= score2AtMost ? 2 : 3)
    }

    /// E.g. "<= 7 / 8-14 / >= 15 per 10 HPF (1.96 mm^2), scaled to the area counted".
    public var description: String {
        let bands = "<= \(score1AtMost) / \(score1AtMost + 1)-\(score2AtMost) / >= \(score2AtMost + 1)"
        guard let reference = referenceAreaMM2 else { return bands + " in the counting region" }
        return bands + " per 10 HPF (\(HotspotRegion.format(reference)) mm^2), scaled to the area counted"
    }
}

extension GradeCutoffs: Codable {
    private enum CodingKeys: String, CodingKey { case score1AtMost, score2AtMost, referenceAreaMM2 }

    /// Reads what `encode(to:)` wrote; scaled cut-offs other than the seed's are refused (the seed's rule is
    /// `MitoticGrade.score(per10HPF:)`, and there is no other).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let a = try c.decode(Int.self, forKey: .score1AtMost), b = try c.decode(Int.self, forKey: .score2AtMost)
        if let reference = try c.decodeIfPresent(Double.self, forKey: .referenceAreaMM2) {
            guard a == GradeCutoffs.seed.score1AtMost, b == GradeCutoffs.seed.score2AtMost,
                  reference == GradeCutoffs.seed.referenceAreaMM2 else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                                                        debugDescription: "area-scaled cut-offs other than the seed's 7, 14 per 1.96 mm^2"))
            }
            self = .seed
        } else {
            guard 0 <= a, a < b else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "cut-offs must satisfy 0 <= a < b"))
            }
            self.init(score1AtMost: a, score2AtMost: b)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(score1AtMost, forKey: .score1AtMost)
        try c.encode(score2AtMost, forKey: .score2AtMost)
        try c.encodeIfPresent(referenceAreaMM2, forKey: .referenceAreaMM2)
    }
}
