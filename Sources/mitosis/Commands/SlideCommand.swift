import ArgumentParser
import Foundation
import Logging
import MitosisPipeline
import MitosisSupport

/// `mitosis slide --model BUNDLE SLIDES... -o OUT`: detections, hotspot and grade over whole slides.
struct SlideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slide",
        abstract: "Detect mitoses over whole slides, find the hotspot and grade it, with a model bundle.",
        discussion: """
            Reads slides with OpenSlide (.svs, .ndpi, .mrxs, .scn, tiled TIFF; plain PNG/JPEG/TIFF images too). \
            The pixel size comes from the slide (openslide.mpp-x, else its TIFF resolution), or --pixel-size. \
            Only tissue tiles (OUT/<slide>/tissue.png) are mapped, inside the blue-ratio mask; the hotspot is the \
            placement of the counting region (--region, default 10 fields of 0.196 mm^2) with the most mitoses \
            over tissue, scored with the seed's cut-offs (<= 7 / 8-14 / >= 15 per 10 HPF), scaled to the \
            region's area unless --cutoffs is given. Writes per slide detections.csv (level-0 pixels and um), \
            detections.geojson (QuPath, with the hotspot), heatmap.png, thumbnail.png, gallery.png and \
            summary.json, and OUT/slides.csv and OUT/slides.html. Interrupted slides resume from their \
            finished tiles; a slide that fails is reported at the end and the others go on.
            """)

    @Option(help: "Model bundle folder (with manifest.json): OUT/model of `mitosis run`, or `mitosis model import-caffe`.")
    var model: String

    @Argument(help: "Slides, or folders of slides.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Option(help: "Level-0 pixel size in um, when the slide records none (or to override it).")
    var pixelSize: Double?

    @Option(help: "Counting region: fields:N@A (N fields of A mm^2), area:A, rect:WxH (mm), circle:D (mm).")
    var region = HotspotRegion.standard.argument

    @Option(help: "Score cut-offs a,b in the region's own counts: 1 if <= a, 2 if <= b, else 3 (default: the seed's 7,14 per 10 HPF, scaled).")
    var cutoffs: String?

    @Option(help: "Detection threshold in log-odds instead of the bundle's (write a negative one as --threshold=-1.5).")
    var threshold: Float?

    @Option(help: "Ground truth to score the detections against: a centres CSV (level-0 pixels, as make-slide writes) or a folder of <slide>.csv.")
    var truth: String?

    @Option(help: "Tile side in working pixels (memory per tile grows with its square).")
    var tile = 1024

    @Option(help: "Top detections shown in gallery.png.")
    var gallery = 24

    @Option(help: "With --executor slurm: slides per array task.")
    var slidesPerTask = 1

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let log = global.logger("slide")
        var job = try SlideAnalysis(bundleFolder: model, output: output)
        job.logger = log
        job.pixelSize = pixelSize
        job.region = try HotspotRegion(parsing: region)
        job.cutoffs = try cutoffs.map { try GradeCutoffs(parsing: $0) }
        job.threshold = threshold
        job.tile = tile
        job.galleryCount = gallery
        job.truth = truth
        let slides = try Slides.list(inputs)
        guard !slides.isEmpty else { throw ValidationError("no slides found in \(inputs.joined(separator: ", "))") }
        if cluster.executor == .slurm, cluster.task == nil {
            let job = ClusterJobs.slides(job, slides: slides, perTask: slidesPerTask, resources: cluster.resources,
                                         command: ClusterOptions.taskCommand(), folder: FileManager.default.currentDirectoryPath)
            return try cluster.submit(job, output: output)
        }
        var bars: [Int: LazyProgressBar] = [:]
        let progress: SlideAnalysis.Progress = { k, n, done, total in
            if bars[k] == nil {
                bars.values.forEach { $0.finish() }
                bars[k] = LazyProgressBar("slide \(k + 1)/\(n) \(((slides[k] as NSString).lastPathComponent))")
            }
            bars[k]?.update(done, total)
        }
        // A batch task does its share of the slides; `collect` writes the batch's tables from their summaries.
        if cluster.task != nil { try ClusterJobs.checkSlides(slides, output: output) }
        let result: SlideAnalysis.Result
        switch cluster.task {
        case nil: result = try job.run(slides, progress: progress)
        case "collect": result = try job.collect(slides)
        case let task?:
            guard let k = Int(task) else { throw ValidationError("--task must be a task index or collect, got '\(task)'") }
            result = try job.analyse(slides, indices: ClusterJobs.slideIndices(task: k, perTask: slidesPerTask, count: slides.count), progress: progress)
        }
        bars.values.forEach { $0.finish() }
        for s in result.summaries {
            let h = s.hotspot.map { "hotspot \($0.count) in \(String(format: "%.2f", $0.areaMM2)) mm^2 (\(String(format: "%.1f", $0.per10HPF)) per 10 HPF\($0.fitted ? "" : ", whole tissue")), score \($0.score)" } ?? "no hotspot"
            if let e = s.evaluation {
                print("\(s.name): TP \(e.truePositives), FP \(e.falsePositives), FN \(e.falseNegatives); precision \(String(format: "%.3f", e.precision ?? 0)), recall \(String(format: "%.3f", e.recall ?? 0)), F1 \(String(format: "%.3f", e.f1 ?? 0)) (within 7.5 um)")
            }
            print("\(s.name): \(s.detections) mitoses on \(String(format: "%.2f", s.tissueAreaMM2)) mm^2 of tissue (\(String(format: "%.2f", s.perMM2Tissue))/mm^2); \(h); \(String(format: "%.1f", s.seconds)) s")
        }
        if let task = cluster.task {
            let total = task == "collect" ? slides.count : result.summaries.count + result.failures.count
            if result.failures.isEmpty { try ClusterPlan.markDone(output, stage: task == "collect" ? "collect" : "slides", index: Int(task) ?? 0) }
            print("task \(task): \(result.summaries.count) of \(total) slides")
            try failIfAny(result, total: total, log: log)
            return
        }
        print("\(result.summaries.count) of \(slides.count) slides; summary in \(output)/slides.html")
        try failIfAny(result, total: slides.count, log: log)
    }

    func failIfAny(_ result: SlideAnalysis.Result, total: Int, log: Logger) throws {
        guard !result.failures.isEmpty else { return }
        for f in result.failures { log.error("\(f.path): \(f.error)") }
        log.error("\(PipelineError.partialFailure(failed: result.failures.count, total: total))")
        throw ExitCode.failure
    }
}
