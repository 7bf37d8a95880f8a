import Foundation
import Logging
import MitosisImage
import MitosisSupport

/// The mitotic hotspot of a whole slide: the placement of a counting region (10 HPF by default) with the most
/// detections, over tissue, and its grade.
///
/// The tutorial grades an image's whole area (`MitoticGrade`); a pathologist grading a slide counts in its
/// most active area instead, which is what this adds. The score's cut-offs are the seed's (`GradeCutoffs`).
public struct Hotspot: Sendable, Equatable, Codable {
    /// An axis-aligned box in um, slide coordinates (x right, y down from the slide's top-left corner).
    public struct Box: Sendable, Equatable, Codable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
    }

    /// The counting region asked for.
    public var region: HotspotRegion
    /// False when the region does not fit in the slide, or no placement of it has enough tissue: then the
    /// whole slide's detections were counted over its tissue instead (see `notes`).
    public var fitted: Bool
    /// The cells counted, in um (the whole slide when not `fitted`). May reach up to one cell past the
    /// slide's right or bottom edge when the slide is not a whole number of cells.
    public var box: Box
    /// The region's outline in um, clockwise on screen (y down), not closed (a GeoJSON ring repeats the first
    /// point): the box's 4 corners, or 64 points on the circle for a disc.
    public var outline: [Point]
    /// For `fields` regions: the layout placed, rows x columns (2 x 5 wide or 5 x 2 tall for 10 fields).
    public var fieldRows: Int?
    public var fieldColumns: Int?
    /// Detections counted.
    public var count: Int
    /// Area the count is over, mm^2: the region's nominal area, or the slide's tissue when not `fitted`.
    public var areaMM2: Double
    /// Tissue fraction of the placement's cells (of the slide when not `fitted`).
    public var tissueFraction: Double
    /// `count / areaMM2`.
    public var perMM2: Double
    /// The count per 10 HPF of 0.196 mm^2: `count * 1.96 / areaMM2`.
    public var per10HPF: Double
    /// 1, 2 or 3, by `cutoffs`.
    public var score: Int
    /// The cut-offs used.
    public var cutoffs: GradeCutoffs
    /// The smallest tissue fraction a placement needed.
    public var minimumTissueFraction: Double
    /// Side of the count grid's cells in um (10 unless coarsened for a very large slide; see `notes`).
    public var cellMicrons: Double
    /// Detections inside the slide (those outside it are left out everywhere).
    public var slideCount: Int
    /// Tissue area of the whole slide in mm^2.
    public var tissueAreaMM2: Double
    /// The whole-tissue figure: `slideCount / tissueAreaMM2` (0 without tissue).
    public var tissuePerMM2: Double
    /// What the reader should know: a coarsened grid, a region that did not fit, detections outside the slide.
    public var notes: [String]

    /// Mitoses per mm^2 of tissue (0 when there is no tissue).
    public static func tissueDensity(count: Int, tissueAreaMM2: Double) -> Double {
        tissueAreaMM2 > 0 ? Double(count) / tissueAreaMM2 : 0
    }
}

/// Finds the `Hotspot` of a slide's detections over its tissue mask.
///
/// Method: the detections and the mask are binned into square cells of `cellMicrons` (count per cell;
/// fraction of tissue per cell, exactly, whatever the mask's resolution); every placement of the region on
/// the grid inside the slide is counted (rectangles from summed-area tables, discs as per-row runs of cells
/// over row prefix sums; `HotspotSearch.swift`); among those whose tissue fraction is at least
/// `minimumTissueFraction`, the largest count wins, ties going to more tissue, then the top-most, then the
/// left-most placement (`fields` tries rows x columns, then the transposed layout).
///
/// Counting is exact on the grid: a detection counts when its cell is one of the placement's cells, and the
/// region's sides are rounded to whole cells (a disc is the cells whose centres lie inside it). So the
/// region's boundary is off by at most one cell (10 um), which moves only detections within 10 um of the edge
/// of a 885 x 2214 um region: a detection is itself a ~10 um object, and two detections within 7.5 um are
/// one match to the evaluation, so a finer grid would not count more truthfully. Area figures use the
/// region's nominal area.
///
/// Speed: a 25 x 20 mm slide at 10 um is a 2500 x 2000 grid; binning, tables and the search of both layouts
/// of 10 HPF take 0.11 s in release on 2 cores, a disc of the same area 0.2 s (`swift run -c release
/// --package-path Benchmarks hotspot-bench`; docs/PERFORMANCE.md).
public struct HotspotFinder: Sendable {
    /// The counting region.
    public var region: HotspotRegion
    /// The score's cut-offs.
    public var cutoffs: GradeCutoffs
    /// Requested side of the count grid's cells in um.
    public var cellMicrons: Double
    /// A placement qualifies when at least this fraction of it is tissue (0...1).
    public var minimumTissueFraction: Double
    /// The largest grid: beyond it the cells are coarsened to the next whole um that fits (16 M cells: 12 bytes
    /// of tables a cell for rectangles, 20 for discs). At most 2^30, which keeps a disc's row runs of tissue
    /// within the 32-bit row prefix sums' exact range (the sums wrap; run differences stay exact).
    public var maximumCells: Int
    public var logger: Logger

    public init(region: HotspotRegion = .standard, cutoffs: GradeCutoffs = .seed, cellMicrons: Double = 10,
                minimumTissueFraction: Double = 0.5, maximumCells: Int = 16_000_000,
                logger: Logger = Logger(label: "mitosis.hotspot")) {
        self.region = region
        self.cutoffs = cutoffs
        self.cellMicrons = cellMicrons
        self.minimumTissueFraction = minimumTissueFraction
        self.maximumCells = maximumCells
        self.logger = logger
    }

    /// The hotspot of `detections` on a slide of `slideWidthMicrons` x `slideHeightMicrons` um.
    /// - Parameters:
    ///   - detections: detection centres in um, slide coordinates; those outside the slide are left out.
    ///   - tissue: the tissue mask, its pixel (0, 0) at the slide's (0, 0); it may be smaller or larger than
    ///     the slide (no tissue where it does not reach).
    ///   - micronsPerMaskPixel: side of one mask pixel in um.
    /// - Throws: `PipelineError.invalidOption` for a non-positive size, cell or mask pixel, or a tissue
    ///   fraction outside 0...1.
    public func find(detections: [Point], slideWidthMicrons width: Double, slideHeightMicrons height: Double,
                     tissue: Mask, micronsPerMaskPixel: Double) throws -> Hotspot {
        try validate(width: width, height: height, micronsPerMaskPixel: micronsPerMaskPixel)
        var notes: [String] = []
        let cell = _HotspotGrid.cellSize(requested: cellMicrons, width: width, height: height, maximumCells: maximumCells)
        if cell != cellMicrons {
            notes.append("count grid coarsened from \(HotspotRegion.format(cellMicrons)) um to \(HotspotRegion.format(cell)) um cells "
                + "to stay within \(maximumCells) cells")
        }
        let grid = _HotspotGrid(detections: detections, width: width, height: height, cellMicrons: cell, mask: tissue,
                                micronsPerMaskPixel: micronsPerMaskPixel)
        if grid.detectionsInSlide < detections.count {
            notes.append("\(detections.count - grid.detectionsInSlide) of \(detections.count) detections lie outside the slide and were left out")
        }
        let tissueMM2 = Double(grid.tissue.reduce(0) { $0 + Int($1) }) / Double(_HotspotGrid.tissueUnit) * cell * cell * 1e-6
        var result: Hotspot
        if case let (placement, rectangles, disc)? = search(grid) {
            result = fitted(placement, grid: grid, rectangles: rectangles, disc: disc)
        } else {
            notes.append(fitsInSlide(grid)
                ? "no placement of the \(region) has \(HotspotRegion.format(minimumTissueFraction * 100))% tissue or more: "
                    + "the whole slide was counted over its tissue instead"
                : "the \(region) does not fit in the \(HotspotRegion.format(width / 1000)) x "
                    + "\(HotspotRegion.format(height / 1000)) mm slide: the whole slide was counted over its tissue instead")
            result = wholeSlide(grid, width: width, height: height, tissueMM2: tissueMM2)
        }
        result.slideCount = grid.detectionsInSlide
        result.tissueAreaMM2 = tissueMM2
        result.tissuePerMM2 = Hotspot.tissueDensity(count: grid.detectionsInSlide, tissueAreaMM2: tissueMM2)
        result.notes = notes
        for note in notes { logger.info("hotspot: \(note)") }
        return result
    }

    private func validate(width: Double, height: Double, micronsPerMaskPixel: Double) throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw PipelineError.invalidOption(message) } }
        try check(width.isFinite && width > 0 && height.isFinite && height > 0,
                  "hotspot: the slide's size must be positive, got \(width) x \(height) um")
        try check(cellMicrons.isFinite && cellMicrons > 0, "hotspot: the cell size must be positive, got \(cellMicrons) um")
        try check(micronsPerMaskPixel.isFinite && micronsPerMaskPixel > 0,
                  "hotspot: the tissue mask's pixel size must be positive, got \(micronsPerMaskPixel) um")
        try check((0...1).contains(minimumTissueFraction),
                  "hotspot: the minimum tissue fraction must be in 0...1, got \(minimumTissueFraction)")
        try check((1...(1 << 30)).contains(maximumCells), "hotspot: the grid's cell limit must be in 1...2^30, got \(maximumCells)")
    }

    /// The region's rectangles in whole cells.
    private func cells(_ r: _HotspotRectangle, _ cell: Double) -> (Int, Int) {
        (max(1, Int((r.widthMM * 1000 / cell).rounded())), max(1, Int((r.heightMM * 1000 / cell).rounded())))
    }

    private func fitsInSlide(_ grid: _HotspotGrid) -> Bool {
        if case let .circle(d) = region {
            let k = _HotspotDisc(diameterCells: d * 1000 / grid.cellMicrons).size
            return k <= grid.columns && k <= grid.rows
        }
        return region.rectangles.contains { r in
            let (kw, kh) = cells(r, grid.cellMicrons)
            return kw <= grid.columns && kh <= grid.rows
        }
    }

    /// The best qualifying placement over every shape, or nil.
    private func search(_ grid: _HotspotGrid) -> (_HotspotPlacement, [_HotspotRectangle], _HotspotDisc?)? {
        let counts = _SummedArea<Int32>(grid.counts, columns: grid.columns, rows: grid.rows)
        if case let .circle(d) = region {
            let disc = _HotspotDisc(diameterCells: d * 1000 / grid.cellMicrons)
            let best = grid.bestDisc(disc, shape: 0, minimumFraction: minimumTissueFraction, counts: counts,
                                     tissue: _SummedArea(grid.tissue, columns: grid.columns, rows: grid.rows),
                                     countRows: _RowPrefix(grid.counts, columns: grid.columns, rows: grid.rows),
                                     tissueRows: _RowPrefix(grid.tissue, columns: grid.columns, rows: grid.rows))
            return best.map { ($0, [], disc) }
        }
        let rectangles = region.rectangles
        let tissue = _SummedArea<Int64>(grid.tissue, columns: grid.columns, rows: grid.rows)
        var best: _HotspotPlacement?
        for (index, r) in rectangles.enumerated() {
            let (kw, kh) = cells(r, grid.cellMicrons)
            if let p = grid.bestRectangle(width: kw, height: kh, shape: index, minimumFraction: minimumTissueFraction,
                                          counts: counts, tissue: tissue), p.beats(best) {
                best = p
            }
        }
        return best.map { ($0, rectangles, nil) }
    }

    private func fitted(_ p: _HotspotPlacement, grid: _HotspotGrid, rectangles: [_HotspotRectangle], disc: _HotspotDisc?) -> Hotspot {
        let c = grid.cellMicrons, x = Double(p.x) * c, y = Double(p.y) * c
        var box: Hotspot.Box, outline: [Point], rows: Int?, columns: Int?
        if let disc {
            var radius = 0.0
            if case let .circle(d) = region { radius = d * 500 }
            let side = Double(disc.size) * c
            box = Hotspot.Box(x: x, y: y, width: side, height: side)
            outline = (0..<64).map { t in
                let a = Double(t) * 2 * Double.pi / 64
                return Point(x: x + side / 2 + radius * cos(a), y: y + side / 2 + radius * sin(a))
            }
        } else {
            let r = rectangles[p.shape], (kw, kh) = cells(r, c)
            box = Hotspot.Box(x: x, y: y, width: Double(kw) * c, height: Double(kh) * c)
            outline = [Point(x: x, y: y), Point(x: x + box.width, y: y), Point(x: x + box.width, y: y + box.height),
                       Point(x: x, y: y + box.height)]
            rows = r.fieldRows; columns = r.fieldColumns
        }
        let area = region.areaMM2
        return Hotspot(region: region, fitted: true, box: box, outline: outline, fieldRows: rows, fieldColumns: columns,
                       count: p.count, areaMM2: area, tissueFraction: p.tissueFraction, perMM2: Double(p.count) / area,
                       per10HPF: Double(p.count) * HotspotRegion.standard.areaMM2 / area,
                       score: cutoffs.score(count: p.count, countedAreaMM2: area, regionAreaMM2: area), cutoffs: cutoffs,
                       minimumTissueFraction: minimumTissueFraction, cellMicrons: c, slideCount: 0, tissueAreaMM2: 0,
                       tissuePerMM2: 0, notes: [])
    }

    /// The fallback: every detection of the slide over all its tissue (over the slide's area if it has none).
    private func wholeSlide(_ grid: _HotspotGrid, width: Double, height: Double, tissueMM2: Double) -> Hotspot {
        let slideMM2 = width * height * 1e-6, area = tissueMM2 > 0 ? tissueMM2 : slideMM2, n = grid.detectionsInSlide
        let box = Hotspot.Box(x: 0, y: 0, width: width, height: height)
        return Hotspot(region: region, fitted: false, box: box,
                       outline: [Point(x: 0, y: 0), Point(x: width, y: 0), Point(x: width, y: height), Point(x: 0, y: height)],
                       fieldRows: nil, fieldColumns: nil, count: n, areaMM2: area, tissueFraction: min(1, tissueMM2 / slideMM2),
                       perMM2: Double(n) / area, per10HPF: Double(n) * HotspotRegion.standard.areaMM2 / area,
                       score: cutoffs.score(count: n, countedAreaMM2: area, regionAreaMM2: region.areaMM2), cutoffs: cutoffs,
                       minimumTissueFraction: minimumTissueFraction, cellMicrons: grid.cellMicrons, slideCount: 0,
                       tissueAreaMM2: 0, tissuePerMM2: 0, notes: [])
    }
}
