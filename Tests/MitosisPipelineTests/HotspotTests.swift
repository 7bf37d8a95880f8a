import Foundation
import MitosisImage
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// Known answers on hand-made point sets; `bruteForceAgreement` checks the search against a naive loop over
/// every placement and every point.
@Suite struct HotspotTests {
    /// A placement found by `naiveBest`: count, tissue fraction, top-left cell.
    typealias Naive = (count: Int, tissue: Double, x: Int, y: Int)

    /// A `width` x `height` um slide mask at 10 um per pixel, tissue where `isTissue(x, y)` (pixel indices).
    static func mask(width: Double, height: Double, pixel: Double = 10, _ isTissue: (Int, Int) -> Bool = { _, _ in true }) -> Mask {
        let w = Int((width / pixel).rounded(.up)), h = Int((height / pixel).rounded(.up))
        var m = Mask(width: w, height: h)
        for y in 0..<h { for x in 0..<w { m[x, y] = isTissue(x, y) } }
        return m
    }

    /// `n` points spread on a `columns`-wide lattice inside the box at (x, y), `step` um apart.
    static func cluster(_ n: Int, x: Double, y: Double, columns: Int, step: Double) -> [Point] {
        (0..<n).map { Point(x: x + Double($0 % columns) * step, y: y + Double($0 / columns) * step) }
    }

    // MARK: the search

    @Test func clusterOnTissueIsFound() throws {
        // 8 x 6 mm slide, all tissue; 20 points within a 500 x 300 um patch at (3005, 2005); 30 singles on a
        // 1 mm lattice elsewhere, never 2 in one region.
        let cluster = Self.cluster(20, x: 3005, y: 2005, columns: 5, step: 100)
        let lattice: [Point] = (0..<30).map { (k: Int) -> Point in
            Point(x: 505 + Double(k % 6) * 1300, y: 455 + Double(k / 6) * 1150)
        }
        let singles = lattice.filter { (p: Point) -> Bool in !(p.x > 2000 && p.x < 6000 && p.y > 1000 && p.y < 4000) }
        let finder = HotspotFinder(region: try HotspotRegion(parsing: "area:1"))
        let h = try finder.find(detections: cluster + singles, slideWidthMicrons: 8000, slideHeightMicrons: 6000,
                                tissue: Self.mask(width: 8000, height: 6000), micronsPerMaskPixel: 10)
        #expect(h.fitted && h.count == 20 && h.cellMicrons == 10)
        #expect(h.box.width == 1000 && h.box.height == 1000)
        for p in cluster {
            #expect(p.x >= h.box.x && p.x < h.box.x + h.box.width && p.y >= h.box.y && p.y < h.box.y + h.box.height)
        }
        // Top-most, then left-most placement holding the cluster: its box's bottom-right cell holds the
        // cluster's last point (3405, 2305), so the box starts 1000 um before that cell's end.
        #expect(abs(h.box.x - (3410 - 1000)) <= 10 && abs(h.box.y - (2310 - 1000)) <= 10)
        #expect(h.tissueFraction == 1 && h.areaMM2 == 1 && h.perMM2 == 20)
        #expect(abs(h.per10HPF - 39.2) < 1e-9 && h.score == 3)
        #expect(h.slideCount == cluster.count + singles.count)
        #expect(abs(h.tissueAreaMM2 - 48) < 1e-9 && abs(h.tissuePerMM2 - Double(h.slideCount) / 48) < 1e-12)
        #expect(h.outline == [Point(x: h.box.x, y: h.box.y), Point(x: h.box.x + 1000, y: h.box.y),
                              Point(x: h.box.x + 1000, y: h.box.y + 1000), Point(x: h.box.x, y: h.box.y + 1000)])
    }

    @Test func clusterOffTissueLosesToASmallerOneOnTissue() throws {
        // Tissue only in the left half of a 6 x 3 mm slide. 12 points at x ~ 5 mm (off tissue: any 1 mm^2
        // square holding them is < 50% tissue), 7 points on tissue at x ~ 1 mm.
        let off = Self.cluster(12, x: 5000, y: 1000, columns: 4, step: 50)
        let on = Self.cluster(7, x: 1000, y: 1500, columns: 7, step: 40)
        let mask = Self.mask(width: 6000, height: 3000) { x, _ in x < 300 }
        let h = try HotspotFinder(region: .square(areaMM2: 1))
            .find(detections: off + on, slideWidthMicrons: 6000, slideHeightMicrons: 3000, tissue: mask, micronsPerMaskPixel: 10)
        #expect(h.fitted && h.count == 7 && h.box.x + h.box.width <= 3000 + 1000 * 0.5)
        #expect(h.tissueFraction >= 0.5)
        // With no tissue requirement the bigger cluster wins.
        let any = try HotspotFinder(region: .square(areaMM2: 1), minimumTissueFraction: 0)
            .find(detections: off + on, slideWidthMicrons: 6000, slideHeightMicrons: 3000, tissue: mask, micronsPerMaskPixel: 10)
        #expect(any.count == 12 && any.tissueFraction < 0.5)
    }

    @Test func tissueFractionIsExactForACoarseMask() throws {
        // A 40 um mask pixel over 10 um cells, tissue in the left 3 of 5 mask columns: 60% of a 200 x 200 um slide.
        var m = Mask(width: 5, height: 5)
        for y in 0..<5 { for x in 0..<3 { m[x, y] = true } }
        let tissue = _HotspotGrid.binTissue(m, micronsPerPixel: 40, cell: 15, columns: 14, rows: 14, width: 200, height: 200)
        let total = Double(tissue.reduce(0) { $0 + Int($1) }) / Double(_HotspotGrid.tissueUnit) * 225
        #expect(abs(total - 120 * 200) < 1)
        // Cell 7 covers x 105-120 um: the mask's edge at 120 um, so all tissue; cell 8 (120-135) none; the last
        // column (195-210) is cut by the slide's edge at 200 and is outside the tissue.
        #expect(tissue[7] == _HotspotGrid.tissueUnit && tissue[8] == 0 && tissue[13] == 0)
    }

    @Test func circleCountsItsRingAndNotBeyond() throws {
        // A 0.5 mm disc (radius 250 um) on 2 um cells: 16 points at 240 um from (1000, 1000) are all counted;
        // 8 at 265 um, between them, are not (no disc holds all 16 inner points and any outer one; a disc
        // moved far enough to take outer points loses more inner ones).
        let inner = (0..<16).map { Double($0) * Double.pi / 8 }.map { Point(x: 1000 + 240 * cos($0), y: 1000 + 240 * sin($0)) }
        let outer = (0..<8).map { (Double($0) + 0.5) * Double.pi / 4 }.map { Point(x: 1000 + 265 * cos($0), y: 1000 + 265 * sin($0)) }
        let finder = HotspotFinder(region: try HotspotRegion(parsing: "circle:0.5"), cellMicrons: 2)
        let h = try finder.find(detections: inner + outer, slideWidthMicrons: 2000, slideHeightMicrons: 2000,
                                tissue: Self.mask(width: 2000, height: 2000), micronsPerMaskPixel: 10)
        #expect(h.fitted && h.count == 16 && h.box.width == 500 && h.box.height == 500)
        // The disc's cells, as the search counts them: every inner point in, every outer one out.
        let disc = _HotspotDisc(diameterCells: 250)
        func inDisc(_ p: Point) -> Bool {
            let dx = Int(p.x / 2) - Int(h.box.x / 2), dy = Int(p.y / 2) - Int(h.box.y / 2)
            guard let r = disc.dy.firstIndex(of: dy) else { return false }
            return dx >= disc.lo[r] && dx < disc.hi[r]
        }
        #expect(inner.allSatisfy(inDisc) && !outer.contains(where: inDisc))
        // The top-most placement holding them: its centre within 12 um (250 - 240 + a cell) of the ring's.
        #expect(abs(h.box.x + 250 - 1000) <= 12 && abs(h.box.y + 250 - 1000) <= 12)
        #expect(h.outline.count == 64)
        for p in h.outline {
            #expect(abs(hypot(p.x - h.box.x - 250, p.y - h.box.y - 250) - 250) < 1e-9)
        }
        #expect(abs(h.areaMM2 - Double.pi * 0.0625) < 1e-12)
    }

    @Test func bothOrientationsOfFieldsAreTried() throws {
        // 30 points in a column 140 um wide and 1.96 mm tall: only the 5 x 2 (tall) layout of 10 HPF holds them all.
        let tall = Self.cluster(30, x: 2100, y: 1100, columns: 2, step: 140)
        let h = try HotspotFinder().find(detections: tall, slideWidthMicrons: 5000, slideHeightMicrons: 5000,
                                         tissue: Self.mask(width: 5000, height: 5000), micronsPerMaskPixel: 10)
        #expect(h.count == 30 && h.fieldRows == 5 && h.fieldColumns == 2)
        #expect(h.box.width == 890 && h.box.height == 2210)
        // The same points turned on their side: the 2 x 5 (wide) layout.
        let wide = tall.map { Point(x: $0.y, y: $0.x) }
        let w = try HotspotFinder().find(detections: wide, slideWidthMicrons: 5000, slideHeightMicrons: 5000,
                                         tissue: Self.mask(width: 5000, height: 5000), micronsPerMaskPixel: 10)
        #expect(w.count == 30 && w.fieldRows == 2 && w.fieldColumns == 5 && w.box.width == 2210)
        #expect(abs(w.per10HPF - 30) < 1e-9 && w.score == 3)
    }

    @Test func regionThatDoesNotFitCountsTheWholeSlide() throws {
        // A 1.1 x 1.5 mm slide cannot hold 0.885 x 2.214 mm either way round. Tissue: the left 0.8 mm, i.e.
        // 1.2 mm^2; 9 points -> 9 * 1.96 / 1.2 = 14.7 per 10 HPF -> 15 -> score 3.
        let points = Self.cluster(9, x: 100, y: 100, columns: 3, step: 300)
        let mask = Self.mask(width: 1100, height: 1500) { x, _ in x < 80 }
        let h = try HotspotFinder().find(detections: points, slideWidthMicrons: 1100, slideHeightMicrons: 1500,
                                         tissue: mask, micronsPerMaskPixel: 10)
        #expect(!h.fitted && h.count == 9 && abs(h.areaMM2 - 1.2) < 1e-9)
        #expect(abs(h.per10HPF - 9 * 1.96 / 1.2) < 1e-9 && h.score == 3)
        #expect(h.box == Hotspot.Box(x: 0, y: 0, width: 1100, height: 1500))
        #expect(abs(h.tissueFraction - 1.2 / 1.65) < 1e-9)
        #expect(h.notes.contains { $0.contains("does not fit") })
        // Region cut-offs apply to the count scaled to the region's area: 9 * 1.96 / 1.2 = 14.7 -> 15 <= 15 -> 2.
        let given = try HotspotFinder(cutoffs: GradeCutoffs(parsing: "10,15"))
            .find(detections: points, slideWidthMicrons: 1100, slideHeightMicrons: 1500, tissue: mask, micronsPerMaskPixel: 10)
        #expect(given.score == 2)
    }

    @Test func noTissueAnywhereFallsBackToTheWholeSlide() throws {
        let h = try HotspotFinder(region: .square(areaMM2: 0.25))
            .find(detections: [Point(x: 10, y: 10)], slideWidthMicrons: 1000, slideHeightMicrons: 1000,
                  tissue: Mask(width: 0, height: 0), micronsPerMaskPixel: 10)
        #expect(!h.fitted && h.count == 1 && h.areaMM2 == 1 && h.tissueAreaMM2 == 0 && h.tissuePerMM2 == 0)
        #expect(h.notes.contains { $0.contains("tissue or more") })
    }

    @Test func tiesGoToTheTopLeftAndRepeat() throws {
        // Two equal clusters of 6, the right one higher up: the top one wins; level them and the left one wins.
        func hotspot(_ leftY: Double, _ rightY: Double) throws -> Hotspot {
            let points = Self.cluster(6, x: 500, y: leftY, columns: 3, step: 30) + Self.cluster(6, x: 3000, y: rightY, columns: 3, step: 30)
            return try HotspotFinder(region: .square(areaMM2: 0.04))
                .find(detections: points, slideWidthMicrons: 4000, slideHeightMicrons: 4000,
                      tissue: Self.mask(width: 4000, height: 4000), micronsPerMaskPixel: 10)
        }
        let higherRight = try hotspot(2000, 1000)
        #expect(higherRight.count == 6 && higherRight.box.x > 2500)
        let level = try hotspot(1000, 1000)
        #expect(level.count == 6 && level.box.x < 1000)
        #expect(try hotspot(1000, 1000) == level)
    }

    @Test func largeSlideCoarsensTheGrid() throws {
        let h = try HotspotFinder(region: .square(areaMM2: 1), maximumCells: 10_000)
            .find(detections: [], slideWidthMicrons: 5000, slideHeightMicrons: 4000,
                  tissue: Self.mask(width: 5000, height: 4000), micronsPerMaskPixel: 10)
        #expect(h.cellMicrons == 45 && h.notes.first?.contains("coarsened") == true && h.count == 0 && h.score == 1)
    }

    @Test func badFinderInputIsRefused() {
        #expect(throws: PipelineError.self) {
            try HotspotFinder().find(detections: [], slideWidthMicrons: 0, slideHeightMicrons: 10, tissue: Mask(width: 1, height: 1),
                                     micronsPerMaskPixel: 10)
        }
        #expect(throws: PipelineError.self) {
            try HotspotFinder(minimumTissueFraction: 1.5).find(detections: [], slideWidthMicrons: 10, slideHeightMicrons: 10,
                                                              tissue: Mask(width: 1, height: 1), micronsPerMaskPixel: 10)
        }
    }

    // MARK: against a naive reference

    /// The best placement, by looping over every placement and every point: a point counts when its cell lies
    /// in the placement (`inside(dx, dy)` on the placement's cells); tissue from the mask (1 pixel = 1 cell).
    /// Ranked as the finder documents: count, then tissue, then top-most, then left-most; nil if none has
    /// `minimumFraction` of tissue.
    static func naiveBest(_ points: [Point], mask: Mask, cell: Double, size: (Int, Int), inside: (Int, Int) -> Bool,
                          minimumFraction: Double) -> Naive? {
        let (kw, kh) = size
        var cellsIn = 0
        for dy in 0..<kh { for dx in 0..<kw where inside(dx, dy) { cellsIn += 1 } }
        var best: Naive?
        for y in 0...(mask.height - kh) {
            for x in 0...(mask.width - kw) {
                var tissue = 0
                for dy in 0..<kh { for dx in 0..<kw where inside(dx, dy) && mask[x + dx, y + dy] { tissue += 1 } }
                guard Double(tissue) >= minimumFraction * Double(cellsIn) else { continue }
                let n = points.filter { p in
                    let cx = Int(p.x / cell) - x, cy = Int(p.y / cell) - y
                    return cx >= 0 && cx < kw && cy >= 0 && cy < kh && inside(cx, cy)
                }.count
                let fraction = Double(tissue) / Double(cellsIn)
                if let b = best, n < b.count || (n == b.count && fraction <= b.tissue) { continue }
                best = (n, fraction, x, y)   // rows, then columns, ascending: the first of a tie stays
            }
        }
        return best
    }

    /// The finder's order: more detections, more tissue, top-most, left-most.
    static func ranks(_ a: Naive, above b: Naive) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.tissue != b.tissue { return a.tissue > b.tissue }
        return a.y != b.y ? a.y < b.y : a.x < b.x
    }

    @Test(arguments: 1...6)
    func bruteForceAgreement(seed: Int) throws {
        var rng = SplitMix64(seed: 42, UInt64(seed))
        // A 40 x 30-cell slide (10 um cells), random blobs of tissue and clustered points.
        let (w, h) = (40, 30)
        var mask = Mask(width: w, height: h)
        let blobs = (0..<4).map { _ in (rng.int(below: w), rng.int(below: h), 4 + rng.int(below: 10)) }
        for y in 0..<h { for x in 0..<w { mask[x, y] = blobs.contains { (x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1) <= $0.2 * $0.2 } } }
        var points: [Point] = []
        for _ in 0..<6 {
            let cx = rng.unit() * 400, cy = rng.unit() * 300
            for _ in 0..<(5 + rng.int(below: 20)) {
                points.append(Point(x: min(399.9, max(0, cx + (rng.unit() - 0.5) * 80)), y: min(299.9, max(0, cy + (rng.unit() - 0.5) * 80))))
            }
        }
        for _ in 0..<40 { points.append(Point(x: rng.unit() * 400, y: rng.unit() * 300)) }
        func found(_ region: HotspotRegion) throws -> Hotspot {
            try HotspotFinder(region: region).find(detections: points, slideWidthMicrons: 400, slideHeightMicrons: 300,
                                                   tissue: mask, micronsPerMaskPixel: 10)
        }
        func agrees(_ h: Hotspot, _ naive: Naive?) -> Bool {
            guard let n = naive else { return !h.fitted }
            return h.fitted && h.count == n.count && abs(h.tissueFraction - n.tissue) < 1e-12
                && h.box.x == Double(n.x) * 10 && h.box.y == Double(n.y) * 10
        }
        let all: (Int, Int) -> Bool = { _, _ in true }
        // Rectangles: 7 x 4 cells (rect:0.07x0.04), both layouts of fields:2@0.0016 (4 x 4-cell fields: 8 x 4, 4 x 8).
        let rect = try found(.rectangle(widthMM: 0.07, heightMM: 0.04))
        #expect(agrees(rect, Self.naiveBest(points, mask: mask, cell: 10, size: (7, 4), inside: all, minimumFraction: 0.5)))
        let fields = try found(.fields(count: 2, fieldAreaMM2: 0.0016))
        let wide = Self.naiveBest(points, mask: mask, cell: 10, size: (8, 4), inside: all, minimumFraction: 0.5)
        let tall = Self.naiveBest(points, mask: mask, cell: 10, size: (4, 8), inside: all, minimumFraction: 0.5)
        // Tall beats wide only by ranking strictly higher (wide is tried first).
        var best: (placement: Naive, width: Double)? = wide.map { ($0, 80) }
        if let t = tall, best.map({ Self.ranks(t, above: $0.placement) }) ?? true { best = (t, 40) }
        #expect(agrees(fields, best?.placement))
        if let best { #expect(fields.box.width == best.width) }
        // A disc of 0.09 mm: 9 x 9 cells, those whose centres lie within 4.5 cells of the square's centre.
        let disc = try found(.circle(diameterMM: 0.09))
        let inDisc: (Int, Int) -> Bool = { dx, dy in
            let x = Double(dx) + 0.5 - 4.5, y = Double(dy) + 0.5 - 4.5
            return x * x + y * y <= 4.5 * 4.5
        }
        #expect(agrees(disc, Self.naiveBest(points, mask: mask, cell: 10, size: (9, 9), inside: inDisc, minimumFraction: 0.5)))
    }

    // MARK: regions and cut-offs

    @Test func regionsParse() throws {
        #expect(try HotspotRegion(parsing: "fields:10@0.196") == .standard)
        #expect(try HotspotRegion(parsing: " Fields:10 ") == .standard)
        #expect(try HotspotRegion(parsing: "fields:9@0.3") == .fields(count: 9, fieldAreaMM2: 0.3))
        #expect(try HotspotRegion(parsing: "area:2") == .square(areaMM2: 2))
        #expect(try HotspotRegion(parsing: "rect:1.5x0.75") == .rectangle(widthMM: 1.5, heightMM: 0.75))
        #expect(try HotspotRegion(parsing: "circle:1.58") == .circle(diameterMM: 1.58))
        for text in ["fields:10@0.196", "area:2", "rect:1.5x0.75", "circle:1.58", "fields:7@0.25"] {
            #expect(try HotspotRegion(parsing: text).argument == text)
        }
        let standard = HotspotRegion.standard
        #expect(abs(standard.areaMM2 - 1.96) < 1e-12 && abs(standard.fieldEquivalents - 10) < 1e-12)
        #expect(standard.fieldLayout! == (2, 5) && HotspotRegion.fields(count: 7, fieldAreaMM2: 1).fieldLayout! == (1, 7))
        #expect(HotspotRegion.fields(count: 12, fieldAreaMM2: 1).fieldLayout! == (3, 4))
        #expect(standard.description.contains("2 x 5") && standard.description.contains("0.8854 x 2.214 mm"))
        #expect(HotspotRegion.rectangle(widthMM: 1, heightMM: 2).description.contains("not rotated"))
        #expect(abs(HotspotRegion.circle(diameterMM: 2).areaMM2 - Double.pi) < 1e-12)
        #expect(HotspotRegion.fields(count: 9, fieldAreaMM2: 0.196).rectangles.count == 1)
        let json = try JSONEncoder().encode([HotspotRegion.rectangle(widthMM: 1.5, heightMM: 0.75)])
        #expect(String(decoding: json, as: UTF8.self) == #"["rect:1.5x0.75"]"#)
        #expect(try JSONDecoder().decode([HotspotRegion].self, from: json) == [.rectangle(widthMM: 1.5, heightMM: 0.75)])
    }

    @Test(arguments: ["", "fields", "fields:", "fields:0", "fields:ten", "fields:10@", "fields:10@-1", "area:0", "area:x",
                      "rect:1", "rect:1x", "rect:1x2x3", "circle:", "circle:inf", "square:2", "disc:1", "10"])
    func badRegionsAreRefusedByName(text: String) {
        do {
            _ = try HotspotRegion(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("'\(text)'") && message.contains("fields:N@A") && message.contains("circle:D"))
        }
    }

    @Test(arguments: [(7, 1), (8, 2), (14, 2), (15, 3), (0, 1), (40, 3)])
    func seedCutoffsFor10HPF(count: Int, score: Int) {
        let area = HotspotRegion.standard.areaMM2
        #expect(GradeCutoffs.seed.score(count: count, countedAreaMM2: area, regionAreaMM2: area) == score)
    }

    @Test(arguments: [(3, 1), (4, 2), (7, 2), (8, 3)])
    func seedCutoffsScaleWithArea(count: Int, score: Int) {
        // area:0.98 is half of 10 HPF: 3 -> 6 per 10 HPF -> 1; 4 -> 8 -> 2; 7 -> 14 -> 2; 8 -> 16 -> 3.
        #expect(GradeCutoffs.seed.score(count: count, countedAreaMM2: 0.98, regionAreaMM2: 0.98) == score)
    }

    @Test func givenCutoffsAreRegionCounts() throws {
        let c = try GradeCutoffs(parsing: "3,9")
        #expect(c == GradeCutoffs(score1AtMost: 3, score2AtMost: 9) && c.referenceAreaMM2 == nil)
        // On any area: 3 -> 1, 4 -> 2, 9 -> 2, 10 -> 3.
        for (n, s) in [(3, 1), (4, 2), (9, 2), (10, 3)] {
            #expect(c.score(count: n, countedAreaMM2: 0.5, regionAreaMM2: 0.5) == s)
            #expect(c.score(count: n, countedAreaMM2: 5, regionAreaMM2: 5) == s)
        }
        #expect(try GradeCutoffs(parsing: " seed ") == .seed)
        #expect(GradeCutoffs.seed.description.hasPrefix("<= 7 / 8-14 / >= 15 per 10 HPF"))
        #expect(c.description == "<= 3 / 4-9 / >= 10 in the counting region")
        for cutoffs in [c, .seed] {
            #expect(try JSONDecoder().decode(GradeCutoffs.self, from: JSONEncoder().encode(cutoffs)) == cutoffs)
        }
        let forged = #"{"score1AtMost": 3, "score2AtMost": 9, "referenceAreaMM2": 1.96}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GradeCutoffs.self, from: Data(forged.utf8)) }
    }

    @Test(arguments: ["", "7", "7,", ",14", "7,14,21", "a,b", "14,7", "7,7", "-1,5", "7.5,14"])
    func badCutoffsAreRefusedByName(text: String) {
        do {
            _ = try GradeCutoffs(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect("\(error)".contains("'\(text)'") && "\(error)".contains("a,b"))
        }
    }

    @Test func hotspotRoundTripsThroughJSON() throws {
        let h = try HotspotFinder().find(detections: Self.cluster(12, x: 500, y: 500, columns: 4, step: 50),
                                         slideWidthMicrons: 3000, slideHeightMicrons: 3000,
                                         tissue: Self.mask(width: 3000, height: 3000), micronsPerMaskPixel: 10)
        #expect(try JSONDecoder().decode(Hotspot.self, from: JSONEncoder().encode(h)) == h)
        #expect(h.count == 12 && h.score == 2 && h.cutoffs == .seed)
    }
}
