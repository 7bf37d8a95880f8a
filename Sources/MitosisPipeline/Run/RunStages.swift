import Foundation
import MitosisNN
import MitosisSupport
import MitosisTraining

/// `mitosis run` in stages, for a cluster: steps 1-3 once, one task per fold (both rounds: training, maps and
/// step 6), then evaluation and the report. Each stage is the same library code the local `run()` calls, in
/// the same order, writing the same files, so the outputs equal a local run's.
extension RunPipeline {
    public enum Stage: Equatable, Sendable {
        case prepare
        case fold(Int)
        case report

        /// `prepare`, `fold:K`, `report`.
        public init(parsing text: String) throws {
            switch text {
            case "prepare": self = .prepare
            case "report": self = .report
            default:
                guard text.hasPrefix("fold:"), let k = Int(text.dropFirst(5)), k >= 1 else {
                    throw PipelineError.invalidOption("unknown run stage '\(text)': expected prepare, fold:K or report")
                }
                self = .fold(k)
            }
        }
    }

    /// Runs one stage. `threads`: oneDNN threads of a fold stage (`localThreads(fold:cores:)` gives the local
    /// executor's, whose weights are then reproduced bit for bit).
    /// Returns the report data of the report stage.
    @discardableResult
    public func runStage(_ stage: Stage, threads: Int? = nil) throws -> ReportData? {
        switch stage {
        case .prepare:
            try prepare()
        case .fold(let k):
            let folds = try prepared()
            guard let f = folds.folds.first(where: { $0.fold == k }) else {
                throw PipelineError.invalidOption("fold \(k) does not exist: the run has \(folds.k) folds")
            }
            if let threads { DNNL.setThreadCountForCallingThread(max(1, threads)) }
            let tracker = IterationTracker(total: (options.refine ? 2 : 1) * options.training.iterations, report: onProgress)
            let chain = try foldChain(f, folds: folds, tracker: tracker)
            if shouldStop() { throw PipelineError.interrupted }
            try writeChain(chain)
        case .report:
            let folds = try prepared()
            var chains: [FoldModels] = []
            var missing: [Int] = []
            for f in folds.folds {
                if let c = try readChain(fold: f.fold) { chains.append(c) } else { missing.append(f.fold) }
            }
            guard missing.isEmpty else {
                throw PipelineError.invalidOption("folds \(missing.map(String.init).joined(separator: ", ")) of \(out) are not finished. HINT: `mitosis status \(FilePaths.shellQuoted(out))`; resubmit their tasks first")
            }
            return try finish(folds: folds, chains: chains)
        }
        return nil
    }

    /// The folds of a finished `prepare` stage, read back from its files.
    func prepared() throws -> FoldStep.Summary {
        let patchDir = path("round1", "patches")
        let hint = "steps 1-3 have not finished in \(out). HINT: run the prepare stage first (`mitosis status \(FilePaths.shellQuoted(out))`)"
        guard FileManager.default.fileExists(atPath: patchDir + "/folds.json") else { throw PipelineError.missingInput(path: patchDir + "/folds.json", hint: hint) }
        let folds = try FoldStep.Summary.read(from: patchDir)
        round1Index = try PatchIndex.read(from: patchDir)
        for f in folds.folds {
            let mean = DatabaseStep.paths(fold: f.fold, patchSize: options.patches.patchSize, in: path("round1", "db")).mean
            guard FileManager.default.fileExists(atPath: mean) else { throw PipelineError.missingInput(path: mean, hint: hint) }
        }
        return folds
    }

    /// Whether a stage's work is all on disk.
    public func isDone(_ stage: Stage) -> Bool {
        switch stage {
        case .prepare: return (try? prepared()) != nil
        case .fold(let k): return ((try? readChain(fold: k)) ?? nil) != nil
        case .report: return FileManager.default.fileExists(atPath: path("report.html")) && FileManager.default.fileExists(atPath: path("model", "manifest.json"))
        }
    }

    /// oneDNN threads of fold `fold` in a local run on `cores` cores (`FoldScheduler`, `options.jobs` folds
    /// at a time).
    public func localThreads(fold: Int, cores: Int = DNNL.threadCount) -> Int {
        FoldScheduler.threads(position: fold - 1, count: options.folds, width: options.jobs, cores: cores)
    }

    // MARK: - A finished fold: `chains/fold_K.json`

    struct ChainRecord: Codable {
        var fold: Int
        var round1: [String]
        var round2: [String]?
    }

    func chainPath(fold: Int) -> String { path("chains", "fold_\(fold).json") }

    /// Written when a fold's chain (both rounds) is finished; paths relative to OUT, so OUT can move.
    func writeChain(_ c: FoldModels) throws {
        let rel = { (p: String) in FilePaths.relative(p, from: self.out) }
        try FileManager.default.createDirectory(atPath: path("chains"), withIntermediateDirectories: true)
        try AnalysisFiles.writeJSON(ChainRecord(fold: c.fold, round1: [rel(c.round1.weights), rel(c.round1.mean)],
                                                round2: c.round2.map { [rel($0.weights), rel($0.mean)] }), to: chainPath(fold: c.fold))
    }

    /// A finished fold's models, nil when the fold is not finished (or its files are gone).
    func readChain(fold: Int) throws -> FoldModels? {
        let file = chainPath(fold: fold)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let r: ChainRecord
        do { r = try JSONDecoder().decode(ChainRecord.self, from: data) } catch {
            throw PipelineError.badFile(path: file, reason: "not a fold record (\(error)). HINT: delete it; the fold's task then checks its files again")
        }
        let abs = { (p: String) in FilePaths.absolute(p, base: self.out) }
        let pairs = [r.round1] + (r.round2.map { [$0] } ?? [])
        guard pairs.allSatisfy({ $0.count == 2 && $0.allSatisfy { FileManager.default.fileExists(atPath: abs($0)) } }),
              (r.round2 != nil) == options.refine else { return nil }
        return FoldModels(fold: r.fold, round1: (abs(r.round1[0]), abs(r.round1[1])), round2: r.round2.map { (abs($0[0]), abs($0[1])) })
    }
}
