import Foundation
import Logging
import MitosisImage
import MitosisSupport
import MitosisVisuals

/// What `mitosis slide` writes per slide and per batch.
///
/// Per slide (`OUT/<name>/`): `detections.csv` (x, y in level-0 pixels, the same in um, log-odds score),
/// `detections.geojson` (QuPath: the detections as points of class Mitosis with P(mitosis) and log-odds
/// measurements, and the hotspot as a polygon annotation, all in level-0 pixels), `heatmap.png` (max
/// P(mitosis) per `cell` working pixels), `tissue.png`, `thumbnail.png` (tissue outline in green, hotspot in
/// blue, detections in red), `gallery.png` (the top detections at the working resolution, best first) and
/// `summary.json`. Per batch: `slides.csv` and `slides.html`.
public enum SlideOutputs {
    /// The hotspot of the detections (nil, with a logged error, if it cannot be found).
    static func hotspot(_ detections: [SlideTileResult.Found], geometry g: SlideGeometry, tissue: TissueMask, region: HotspotRegion,
                        cutoffs: GradeCutoffs?, logger: Logger) -> Hotspot? {
        let finder = HotspotFinder(region: region, cutoffs: cutoffs ?? .seed, logger: logger)
        do {
            return try finder.find(detections: detections.map { Point(x: $0.x * g.micronsPerPixel, y: $0.y * g.micronsPerPixel) },
                                   slideWidthMicrons: Double(g.width) * g.micronsPerPixel, slideHeightMicrons: Double(g.height) * g.micronsPerPixel,
                                   tissue: tissue.mask, micronsPerMaskPixel: tissue.micronsPerPixel)
        } catch {
            logger.error("hotspot not found: \(error)")
            return nil
        }
    }

    static func write(summary: SlideAnalysis.Summary, detections: [SlideTileResult.Found], tiles: [SlideTileResult], tiling: SlideTiling,
                      tissue: TissueMask, slide: SlideReading, galleryCount: Int, to folder: String) throws {
        let g = tiling.geometry, um = g.micronsPerPixel
        var csv = "x,y,x_um,y_um,\(MapDetection.scoreUnit)\n"
        for d in detections {
            csv += "\(DetectionWriter.number(d.x)),\(DetectionWriter.number(d.y)),\(DetectionWriter.number(d.x * um)),\(DetectionWriter.number(d.y * um)),\(String(format: "%.4f", d.score))\n"
        }
        try AtomicFile.write(csv, to: folder + "/detections.csv")
        try AtomicFile.write(geoJSON(detections, hotspot: summary.hotspot, micronsPerPixel: um), to: folder + "/detections.geojson")

        // Heatmap: one pixel per cell of the working image.
        let c = tiling.cell
        var cells = FloatPlane(width: (g.workingWidth + c - 1) / c, height: (g.workingHeight + c - 1) / c)
        for t in tiles {
            for r in 0..<t.cellRows { for k in 0..<t.cellColumns { cells.values[(t.cellY + r) * cells.width + t.cellX + k] = t.cells[r * t.cellColumns + k] } }
        }
        try ImageIO.write(Heatmap.colorize(cells), to: folder + "/heatmap.png")
        try ImageIO.write(thumbnail(slide: slide, geometry: g, tissue: tissue, detections: detections, hotspot: summary.hotspot), to: folder + "/thumbnail.png")
        try ImageIO.write(gallery(slide: slide, geometry: g, detections: Array(detections.prefix(galleryCount))), to: folder + "/gallery.png")
    }

    /// QuPath GeoJSON: points, and the hotspot as an annotation polygon (level-0 pixels).
    static func geoJSON(_ detections: [SlideTileResult.Found], hotspot: Hotspot?, micronsPerPixel um: Double) -> String {
        var features = DetectionWriter.pointFeatures(detections.map { DetectionWriter.Entry(x: $0.x, y: $0.y, score: $0.score) })
        if let h = hotspot, !h.outline.isEmpty {
            let ring = (h.outline + [h.outline[0]]).map { "[\(DetectionWriter.number($0.x / um)),\(DetectionWriter.number($0.y / um))]" }.joined(separator: ",")
            let name = DetectionWriter.jsonString("Hotspot: \(h.count) mitoses, score \(h.score)")
            features.append("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[\(ring)]]},"
                + "\"properties\":{\"objectType\":\"annotation\",\"name\":\(name),\"classification\":{\"name\":\"Hotspot\",\"color\":[0,90,255]},"
                + "\"measurements\":{\"mitoses\":\(h.count),\"area mm^2\":\(String(format: "%.4f", h.areaMM2)),\"per 10 HPF\":\(String(format: "%.2f", h.per10HPF)),\"score\":\(h.score)}}}")
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
    }

    /// The slide at most 2048 px on its longer side with tissue outline, hotspot and detections.
    static func thumbnail(slide: SlideReading, geometry g: SlideGeometry, tissue: TissueMask, detections: [SlideTileResult.Found],
                          hotspot: Hotspot?, maxSide: Int = 2048) throws -> Image {
        let d = max(1, Double(max(g.width, g.height)) / Double(maxSide))
        let level = slide.level(forDownsample: d), l = slide.levels[level]
        let w = max(1, Int((Double(g.width) / d).rounded())), h = max(1, Int((Double(g.height) / d).rounded()))
        let base = try slide.read(level: level, x: 0, y: 0, width: l.width, height: l.height)
        var canvas = Canvas(base.width == w && base.height == h ? base : try base.resized(width: w, height: h))
        // Tissue outline: mask pixels with a non-tissue 4-neighbour.
        let m = tissue.mask, f = tissue.micronsPerPixel / (g.micronsPerPixel * d)
        for y in 0..<m.height {
            for x in 0..<m.width where m.bits[y * m.width + x] {
                let edge = x == 0 || y == 0 || x == m.width - 1 || y == m.height - 1 || !m.bits[y * m.width + x - 1] || !m.bits[y * m.width + x + 1]
                    || !m.bits[(y - 1) * m.width + x] || !m.bits[(y + 1) * m.width + x]
                if edge { canvas.fillRect(x: Int(Double(x) * f), y: Int(Double(y) * f), width: max(1, Int(f.rounded())), height: max(1, Int(f.rounded())), RGBColor(0, 170, 60), alpha: 0.9) }
            }
        }
        let radius = max(3, 7.5 / (g.micronsPerPixel * d))  // the 7.5 um match radius, at least 3 px
        for p in detections { canvas.ring(cx: p.x / d, cy: p.y / d, radius: radius, thickness: 1.5, RGBColor(230, 20, 20)) }
        if let hs = hotspot, !hs.outline.isEmpty {
            let pts = (hs.outline + [hs.outline[0]]).map { (x: $0.x / g.micronsPerPixel / d, y: $0.y / g.micronsPerPixel / d) }
            canvas.polyline(pts, RGBColor(0, 90, 255), lineWidth: 3)
        }
        return canvas.image
    }

    /// The top detections, each a 64 x 64 working-pixel crop shown at 2x with its rank and log-odds.
    static func gallery(slide: SlideReading, geometry g: SlideGeometry, detections: [SlideTileResult.Found], columns: Int = 6) throws -> Image {
        let side = 64, zoom = 2, label = 12, cellW = side * zoom, cellH = side * zoom + label
        let rows = max(1, (detections.count + columns - 1) / columns)
        var canvas = Canvas(width: columns * cellW + (columns + 1) * 4, height: rows * cellH + (rows + 1) * 4)
        for (k, d) in detections.enumerated() {
            let cx = Int((d.x + 0.5) * g.scale - 0.5), cy = Int((d.y + 0.5) * g.scale - 0.5)
            let x0 = min(max(0, cx - side / 2), max(0, g.workingWidth - side)), y0 = min(max(0, cy - side / 2), max(0, g.workingHeight - side))
            let crop = try SlideMapper.workingRegion(slide, g, x: x0..<min(g.workingWidth, x0 + side), y: y0..<min(g.workingHeight, y0 + side))
            let ox = 4 + (k % columns) * (cellW + 4), oy = 4 + (k / columns) * (cellH + 4)
            for y in 0..<(crop.height * zoom) {
                for x in 0..<(crop.width * zoom) {
                    let i = ((y / zoom) * crop.width + x / zoom) * 3
                    canvas.blend(x: ox + x, y: oy + label + y, RGBColor(crop.pixels[i], crop.pixels[i + 1], crop.pixels[i + 2]))
                }
            }
            canvas.ring(cx: Double(ox) + Double((cx - x0) * zoom) + 1, cy: Double(oy + label) + Double((cy - y0) * zoom) + 1,
                        radius: 7.5 / g.workingMicronsPerPixel * Double(zoom), thickness: 1.5, RGBColor(230, 20, 20))
            canvas.text("#\(k + 1) \(String(format: "%.1f", d.score))", x: ox + 2, y: oy + 2, RGBColor(0, 0, 0))
        }
        return canvas.image
    }

    /// tp, fp, fn, precision, recall, F1 (empty without ground truth).
    static func evaluationColumns(_ e: MatchCounts?) -> [String] {
        guard let e else { return ["", "", "", "", "", ""] }
        let f = { (v: Double?) in v.map { String(format: "%.3f", $0) } ?? "" }
        return ["\(e.truePositives)", "\(e.falsePositives)", "\(e.falseNegatives)", f(e.precision), f(e.recall), f(e.f1)]
    }

    /// `slides.csv` and `slides.html` over a batch.
    static func writeCohort(_ result: SlideAnalysis.Result, to output: String) throws {
        var csv = "slide,vendor,width,height,um_per_px,tissue_mm2,tissue_tiles,mitoses,mitoses_per_mm2_tissue,hotspot_mitoses,hotspot_area_mm2,hotspot_per_10hpf,score,hotspot_fitted,tp,fp,fn,precision,recall,f1,seconds\n"
        var rows = ""
        for s in result.summaries {
            let h = s.hotspot
            csv += ([s.name, s.vendor, "\(s.width)", "\(s.height)", String(format: "%.4f", s.micronsPerPixel), String(format: "%.3f", s.tissueAreaMM2),
                    "\(s.tissueTiles)", "\(s.detections)", String(format: "%.3f", s.perMM2Tissue), h.map { "\($0.count)" } ?? "",
                    h.map { String(format: "%.3f", $0.areaMM2) } ?? "", h.map { String(format: "%.2f", $0.per10HPF) } ?? "",
                    h.map { "\($0.score)" } ?? "", h.map { "\($0.fitted)" } ?? ""] + evaluationColumns(s.evaluation)
                    + [String(format: "%.1f", s.seconds)]).joined(separator: ",") + "\n"
            let e = escapeXML(s.name)
            rows += "<tr><td><a href=\"\(e)/thumbnail.png\"><img src=\"\(e)/thumbnail.png\" height=\"120\"></a><br>\(e)</td>"
                + "<td>\(s.width) x \(s.height)<br>\(String(format: "%.4f", s.micronsPerPixel)) um/px (\(s.pixelSizeSource))</td>"
                + "<td>\(String(format: "%.2f", s.tissueAreaMM2))</td><td>\(s.detections)<br>\(String(format: "%.2f", s.perMM2Tissue)) / mm&sup2;</td>"
                + "<td>\(h.map { "\($0.count) in \(String(format: "%.2f", $0.areaMM2)) mm&sup2;\($0.fitted ? "" : " (whole tissue)")<br>\(String(format: "%.1f", $0.per10HPF)) per 10 HPF" } ?? "-")</td>"
                + "<td><b>\(h.map { "\($0.score)" } ?? "-")</b></td><td>\(String(format: "%.1f", s.seconds))</td>"
                + "<td><a href=\"\(e)/gallery.png\">gallery</a> <a href=\"\(e)/heatmap.png\">heatmap</a> <a href=\"\(e)/detections.geojson\">GeoJSON</a></td></tr>\n"
        }
        for f in result.failures {
            rows += "<tr class=\"failed\"><td colspan=\"8\">\(escapeXML(f.path)): \(escapeXML("\(f.error)"))</td></tr>\n"
        }
        try AtomicFile.write(csv, to: output + "/slides.csv")
        let html = """
            <!doctype html><html><head><meta charset="utf-8"><title>mitosis: slides</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:6px;vertical-align:top}tr.failed td{color:#b00}</style></head><body>
            <h1>Mitotic counts per slide</h1>
            <p>\(result.summaries.count) slide(s), \(result.failures.count) failed. The hotspot is the placement of the counting region with the most detections over tissue; the score uses the seed's cut-offs (&le; 7 / 8&ndash;14 / &ge; 15 per 10 HPF of 0.196 mm&sup2;) scaled to the region's area unless others were given.</p>
            <table><tr><th>slide</th><th>size</th><th>tissue mm&sup2;</th><th>mitoses</th><th>hotspot</th><th>score</th><th>seconds</th><th>files</th></tr>
            \(rows)</table></body></html>
            """
        try AtomicFile.write(html, to: output + "/slides.html")
    }
}
