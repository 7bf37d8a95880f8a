import ArgumentParser
import Foundation
import MitosisData
import MitosisPipeline
import MitosisSupport

/// `mitosis make-slide FRAMES -o SLIDE.tif`: an annotated test whole slide from dataset frames.
struct MakeSlideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-slide",
        abstract: "Assemble dataset frames into a pyramidal tiled JPEG TIFF whole slide with its mitosis centres.",
        discussion: """
            The frames (PP_II.tif|png|jpg with PP_II.csv) are placed in a grid on white, each cell the size of \
            the largest frame, and written as a tiled pyramidal TIFF that OpenSlide opens (generic-tiff), with \
            the pixel size in its resolution tags. Beside SLIDE.tif go SLIDE.csv (the centres in slide pixels) \
            and SLIDE_frames.csv (name,x,y,width,height of every frame on the slide). --size WxH fills a slide \
            of that size instead, reusing the frames in order (for benchmarks; the columns follow from the size).
            """)

    @Argument(help: "Folder of frames in the tutorial's layout.")
    var frames: String

    @Option(name: .shortAndLong, help: "Slide to write (.tif).")
    var output: String

    @Option(help: "Grid columns (default: ceil(sqrt(frames))).")
    var columns: Int?

    @Option(help: "White pixels between frames.")
    var gap = 256

    @Option(help: "White pixels around the grid.")
    var margin = 256

    @Option(help: "Pixel size of the frames in um (default: from their TIFF resolution tags, else 0.25 with a warning).")
    var pixelSize: Double?

    @Option(help: "Use only the first N frames (by name).")
    var limit: Int?

    @Option(help: "Slide size WxH in pixels, filled with the frames repeated in order (e.g. 40000x40000).")
    var size: String?

    @Option(help: "Tile side in pixels (a multiple of 16).")
    var tile = 256

    @Option(help: "JPEG quality, 1-100.")
    var quality = 90

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let pixelSize, !(pixelSize > 0 && pixelSize < 100) { throw ValidationError("--pixel-size must be a positive size in um, got \(pixelSize)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if size != nil, columns != nil { throw ValidationError("give --columns or --size, not both (with --size the columns follow from the size)") }
        if let size, Self.parseSize(size) == nil { throw ValidationError("--size must be WxH in pixels, e.g. 40000x40000, got '\(size)'") }
        guard tile >= 16, tile % 16 == 0 else { throw ValidationError("--tile must be a positive multiple of 16, got \(tile)") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100, got \(quality)") }
    }

    static func parseSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        let log = global.logger("make-slide")
        let started = Date()
        let dataset = try Dataset.discover(at: FilePaths.absolute(frames))
        let assembly = try SlideAssembly(images: dataset.images, columns: columns, gap: gap, margin: margin, micronsPerPixel: pixelSize,
                                         limit: limit, size: size.flatMap(Self.parseSize))
        let note = ImagePixelSize.message(assembly.micronsPerPixel, assembly.pixelSizeSource)
        if note.warning { log.warning("\(note.text)") } else { log.info("\(note.text)") }
        let bar = LazyProgressBar("make-slide")
        let written = try assembly.write(to: FilePaths.absolute(output), tileSize: tile, jpegQuality: quality, progress: bar.update)
        bar.finish()
        let distinct = Set(assembly.placements.map(\.frame)).count
        print("\(output): \(assembly.width)x\(assembly.height) px, \(written.levels.count) level\(written.levels.count == 1 ? "" : "s"), \(assembly.placements.count) frames "
              + "(\(distinct) distinct), \(written.centres) centres in \(written.centresPath), "
              + String(format: "%.1f s", Date().timeIntervalSince(started)))
    }
}
