import MitosisData

/// Mitotic count and score per 10 high-power fields, as the tutorial's grading describes.
///
/// Score 1 / 2 / 3 for <= 7 / 8-14 / >= 15 mitoses per 10 HPF (the seed's cut-offs, which fit a field of
/// 0.196 mm^2). Field area and pixel size are options; mitoses per mm^2 is reported too.
public struct MitoticGrade: Sendable, Codable, Equatable {
    /// Mitoses counted.
    public var count: Int
    /// Area analysed in mm^2.
    public var areaMM2: Double
    /// Mitoses per mm^2.
    public var perMM2: Double
    /// Mitoses per 10 high-power fields.
    public var per10HPF: Double
    /// 1, 2 or 3.
    public var score: Int

    /// Grades `count` mitoses found in `pixels` image pixels.
    /// - Parameters:
    ///   - pixelSizeMicrons: side of one pixel in um (0.25 at 40x).
    ///   - fieldAreaMM2: area of one high-power field in mm^2 (0.196 by default).
    public init(count: Int, pixels: Int, pixelSizeMicrons: Double = 0.25, fieldAreaMM2: Double = 0.196) {
        self.count = count
        areaMM2 = Double(pixels) * pixelSizeMicrons * pixelSizeMicrons * 1e-6
        perMM2 = areaMM2 > 0 ? Double(count) / areaMM2 : 0
        per10HPF = perMM2 * 10 * fieldAreaMM2
        score = MitoticGrade.score(per10HPF: per10HPF)
    }

    /// The cut-offs, applied to the count per 10 HPF rounded to the nearest whole mitosis.
    public static func score(per10HPF: Double) -> Int {
        let n = Int(per10HPF.rounded())
        return n <= 7 ? 1 : (n <= 14 ? 2 : 3)
    }
}

/// A mitotic count of one image: what patient grades are pooled from.
public struct ImageCount: Sendable, Equatable {
    public var name: String
    public var patient: String
    public var count: Int
    /// Image pixels the count was made in.
    public var pixels: Int
    public init(name: String, patient: String, count: Int, pixels: Int) {
        self.name = name; self.patient = patient; self.count = count; self.pixels = pixels
    }
}

extension MitoticGrade {
    /// One grade per patient from its images' counts, pooled (summed counts over summed area), patients in
    /// `Dataset.patientOrder`: the one aggregation behind `mitosis grade` and `mitosis run`'s report.
    public static func perPatient(_ images: [ImageCount], pixelSizeMicrons: Double, fieldAreaMM2: Double)
        -> [(patient: String, images: [String], grade: MitoticGrade)] {
        let byPatient = Dictionary(grouping: images, by: \.patient)
        return byPatient.keys.sorted(by: Dataset.patientOrder).map { p in
            let mine = byPatient[p]!
            return (p, mine.map(\.name), MitoticGrade(count: mine.reduce(0) { $0 + $1.count }, pixels: mine.reduce(0) { $0 + $1.pixels },
                                                       pixelSizeMicrons: pixelSizeMicrons, fieldAreaMM2: fieldAreaMM2))
        }
    }
}
