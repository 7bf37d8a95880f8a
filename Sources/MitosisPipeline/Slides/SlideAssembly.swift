import Foundation
import MitosisData
import MitosisImage
import MitosisSupport

/// Annotated test whole slides made from dataset frames, since users have none: the frames (images in the
/// tutorial's layout, `PP_II.tif|png|jpg` with `PP_II.csv` centres) are placed in a grid on a white canvas
/// and written as a pyramidal tiled JPEG TIFF (`TiledTIFFWriter`; OpenSlide opens it as `generic-tiff`),
/// with their mitosis centres mapped to slide (level-0) pixels.
///
/// The grid: `columns` cells a row (default `ceil(sqrt(n))`), each cell the size of the largest frame, a
/// frame at the top-left of its cell, `gap` white pixels between cells and `margin` around them all. With
/// `size`, the grid instead fills a canvas of exactly that size with as many cells as fit, reusing the
/// frames in order (cell i shows frame i mod n), so a large benchmark slide comes from a few frames; the
/// columns then follow from the size. All frames must share one pixel size (`ImagePixelSize`: given, else
/// recorded in the files, else the tutorial's 0.25), which the slide records.
///
/// Beside the slide `<stem>.tif` go `<stem>.csv` (the centres in slide pixels, `CentreCSV.format`) and
/// `<stem>_frames.csv` (`name,x,y,width,height` of each placement, in slide pixels), so that frame and slide
/// coordinates can be mapped both ways.
public struct SlideAssembly: Sendable {
    /// One frame on the slide.
    public struct Placement: Sendable, Equatable {
        /// The frame's name (`PP_II`).
        public var name: String
        /// Its image file.
        public var imagePath: String
        /// Top-left corner on the slide, level-0 pixels.
        public var x: Int
        public var y: Int
        /// The frame's size in pixels.
        public var width: Int
        public var height: Int
        /// Mitosis centres in the frame's own pixels.
        public var centres: [Centre]
        /// Which of the distinct frames this is (frames repeat with `size`).
        public var frame: Int
    }

    /// What `write` wrote.
    public struct Written: Sendable {
        public var slidePath: String
        public var centresPath: String
        public var framesPath: String
        public var levels: [TiledTIFFWriter.Level]
        /// Centres written to `centresPath`.
        public var centres: Int
        /// How many times a frame was decoded in all (each frame once per grid row it appears in, as long as
        /// a grid row shows at most `cacheCapacity` distinct frames).
        public var frameDecodes: Int
    }

    /// Slide size in level-0 pixels.
    public var width: Int
    public var height: Int
    /// Grid columns.
    public var columns: Int
    /// The frames' (and the slide's level-0) pixel size in um, and where it came from.
    public var micronsPerPixel: Double
    public var pixelSizeSource: ImagePixelSize.Source
    /// Every placed frame, row by row.
    public var placements: [Placement]

    /// Lays out `images` (e.g. `Dataset.discover(at:).images`), reading only their headers and centre CSVs.
    /// - Parameters:
    ///   - columns: grid columns (default `ceil(sqrt(n))`); not used with `size`.
    ///   - limit: use only the first `limit` images.
    ///   - size: fill a canvas of this size, repeating the frames in order.
    /// - Throws: `PipelineError.invalidOption` for bad parameters or frames of different pixel sizes,
    ///   `DatasetError` for a bad centre CSV, `ImageError` for an unreadable frame.
    public init(images: [DatasetImage], columns: Int? = nil, gap: Int = 256, margin: Int = 256,
                micronsPerPixel: Double? = nil, limit: Int? = nil, size: (width: Int, height: Int)? = nil) throws {
        let chosen = Array(images.prefix(limit ?? images.count))
        guard !chosen.isEmpty else { throw PipelineError.invalidOption("no frames to place (\(images.count) images, limit \(limit ?? 0))") }
        guard gap >= 0, margin >= 0 else { throw PipelineError.invalidOption("gap and margin must not be negative (\(gap), \(margin))") }
        if let columns, columns < 1 { throw PipelineError.invalidOption("columns must be at least 1, got \(columns)") }
        let resolved = try ImagePixelSize.resolve(given: micronsPerPixel, images: chosen.map(\.imagePath))
        var frames: [Placement] = []
        for (i, image) in chosen.enumerated() {
            let s = try ImageHeader.size(of: image.imagePath)
            let centres = try image.csvPath.map { try CentreCSV.read($0, imageSize: s) } ?? []
            frames.append(Placement(name: image.name, imagePath: image.imagePath, x: 0, y: 0, width: s.width, height: s.height,
                                    centres: centres, frame: i))
        }
        let cellWidth = frames.map(\.width).max()!, cellHeight = frames.map(\.height).max()!
        let grid: (columns: Int, width: Int, height: Int, cells: Int)
        if let size {
            func fit(_ side: Int, _ cell: Int) -> Int { (side - 2 * margin + gap) / (cell + gap) }
            let (fitColumns, fitRows) = (fit(size.width, cellWidth), fit(size.height, cellHeight))
            guard fitColumns >= 1, fitRows >= 1 else {
                throw PipelineError.invalidOption("a \(size.width)x\(size.height) slide cannot hold one \(cellWidth)x\(cellHeight) frame within a margin of \(margin)")
            }
            grid = (fitColumns, size.width, size.height, fitColumns * fitRows)
        } else {
            let c = min(columns ?? Int(Double(frames.count).squareRoot().rounded(.up)), frames.count)
            let rows = (frames.count + c - 1) / c
            grid = (c, 2 * margin + c * cellWidth + (c - 1) * gap, 2 * margin + rows * cellHeight + (rows - 1) * gap, frames.count)
        }
        self.columns = grid.columns
        width = grid.width
        height = grid.height
        self.micronsPerPixel = resolved.micronsPerPixel
        pixelSizeSource = resolved.source
        placements = (0..<grid.cells).map { cell in
            var p = frames[cell % frames.count]
            p.x = margin + cell % grid.columns * (cellWidth + gap)
            p.y = margin + cell / grid.columns * (cellHeight + gap)
            return p
        }
    }

    /// The centres of every placement in slide (level-0) pixels, placement by placement.
    public var slideCentres: [Centre] {
        placements.flatMap { p in p.centres.map { Centre(x: $0.x + Double(p.x), y: $0.y + Double(p.y)) } }
    }

    /// Decoded frames kept at once while writing: a grid row's worth, at most 32.
    public var cacheCapacity: Int { min(columns, 32) + 1 }

    /// The `<stem>.csv` and `<stem>_frames.csv` beside a slide path.
    public static func companionPaths(of slidePath: String) -> (centres: String, frames: String) {
        let stem = (slidePath as NSString).deletingPathExtension
        return (stem + ".csv", stem + "_frames.csv")
    }

    /// Writes the slide to `path` (see `TiledTIFFWriter` for the file) and its two CSVs beside it, each
    /// atomically, creating the folder if needed.
    /// - Parameter progress: (level-0 bands done, bands in all).
    /// - Throws: `ImageError` naming the slide or a frame, `FileWriteError` for a CSV.
    @discardableResult
    public func write(to path: String, tileSize: Int = 256, jpegQuality: Int = 90, smallestLevelSide: Int = 512,
                      progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Written {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw ImageError.cannotWrite(path: path, reason: "cannot create its folder (\((error as NSError).localizedDescription))")
            }
        }
        let compositor = _FrameCompositor(placements: placements, capacity: cacheCapacity)
        let description = "mitosis \(MitosisVersion.string) make-slide: \(placements.count) frames "
            + "(\(Set(placements.map(\.frame)).count) distinct), \(width)x\(height) px, \(micronsPerPixel) um/px"
        let levels = try TiledTIFFWriter.write(width: width, height: height, to: path, tileSize: tileSize, jpegQuality: jpegQuality,
                                               micronsPerPixel: micronsPerPixel, smallestLevelSide: smallestLevelSide,
                                               description: description, region: compositor.region, progress: progress)
        let (centresPath, framesPath) = Self.companionPaths(of: path)
        let centres = slideCentres
        try AtomicFile.write(CentreCSV.format(centres), to: centresPath)
        let rows = placements.map { "\($0.name),\($0.x),\($0.y),\($0.width),\($0.height)\n" }
        try AtomicFile.write("name,x,y,width,height\n" + rows.joined(), to: framesPath)
        return Written(slidePath: path, centresPath: centresPath, framesPath: framesPath, levels: levels,
                       centres: centres.count, frameDecodes: compositor.decodes)
    }
}

/// Composes slide regions from the placed frames on white, decoding each frame when first needed and
/// keeping the most recently used few. Not API.
final class _FrameCompositor {
    private let placements: [SlideAssembly.Placement]
    private let capacity: Int
    /// Decoded RGB frames by `Placement.frame`, least recently used first.
    private var cache: [(frame: Int, image: Image)] = []
    private(set) var decodes = 0

    init(placements: [SlideAssembly.Placement], capacity: Int) {
        self.placements = placements
        self.capacity = max(1, capacity)
    }

    /// The level-0 pixels of the rectangle (`x`, `y`, `w`, `h`): white, with the frames that overlap it.
    func region(_ x: Int, _ y: Int, _ w: Int, _ h: Int) throws -> Image {
        var out = Image(width: w, height: h, channels: 3, fill: 255)
        for p in placements where p.x < x + w && x < p.x + p.width && p.y < y + h && y < p.y + p.height {
            let frame = try decoded(p)
            let (fw, fh) = (min(p.width, frame.width), min(p.height, frame.height))
            let (x0, x1) = (max(x, p.x), min(x + w, p.x + fw))
            guard x0 < x1 else { continue }
            frame.pixels.withUnsafeBufferPointer { source in
                out.pixels.withUnsafeMutableBufferPointer { target in
                    for row in max(y, p.y)..<min(y + h, p.y + fh) {
                        let from = source.baseAddress! + ((row - p.y) * frame.width + (x0 - p.x)) * 3
                        let to = target.baseAddress! + ((row - y) * w + (x0 - x)) * 3
                        to.update(from: from, count: (x1 - x0) * 3)
                    }
                }
            }
        }
        return out
    }

    private func decoded(_ p: SlideAssembly.Placement) throws -> Image {
        if let i = cache.firstIndex(where: { $0.frame == p.frame }) {
            let hit = cache.remove(at: i)
            cache.append(hit)
            return hit.image
        }
        let image = try ImageIO.read(p.imagePath).convertedToChannels(3)
        decodes += 1
        if cache.count == capacity { cache.removeFirst() }
        cache.append((p.frame, image))
        return image
    }
}
