import ArgumentParser
import Foundation
import MitosisData
import MitosisNN
import MitosisPipeline
import MitosisTraining

/// `mitosis train`: step 4, like `caffe train --solver=...`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Step 4: train a net from a Caffe solver prototxt (the tutorial's files work unchanged).",
        discussion: """
            Template placeholders such as %(kfoldi)d are filled with --set kfoldi=1. With --folds 1-5 the \
            solver is trained once per fold with kfoldi set to the fold. Paths in the solver and net resolve \
            against the solver's folder (or --base). Snapshots: <prefix>_iter_N.caffemodel, .solverstate and \
            .resume.json; --resume continues from one exactly. Ctrl-C or SIGTERM writes a snapshot, names it and \
            exits with status 130.
            """)

    @Option(help: "Solver prototxt.")
    var solver: String

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Template substitution NAME=VALUE (repeatable).")
    var substitutions: [String] = []

    @Option(help: "Folds to train, e.g. 1-5 or 1,3 (sets kfoldi).")
    var folds: String?

    @Option(help: "Folds trained at the same time.")
    var jobs = 1

    @Option(help: "Folder that relative paths in the solver and net refer to (default: the solver's folder).")
    var base: String?

    @Option(help: "Override max_iter.")
    var maxIter: Int?

    @Option(help: "Snapshot (.resume.json or .caffemodel) to continue from.")
    var resume: String?

    @Option(help: "Initial weights from a .caffemodel, copied by layer name (fine-tuning, as caffe train --weights).")
    var weights: String?

    @Flag(help: "Random hematoxylin/eosin strength and brightness per training patch (stain augmentation; not in Caffe).")
    var stainJitter = false

    @Option(help: "Seed of data order, mirroring and initialisation when the solver sets no random_seed.")
    var seed: UInt64 = 1

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let log = global.logger("train")
        var subs: [String: String] = [:]
        for s in substitutions {
            let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--set expects NAME=VALUE, got '\(s)'") }
            subs[parts[0]] = parts[1]
        }
        let foldList = try folds.map(parseFolds) ?? [nil]
        StopSignal.install()
        let width = max(1, jobs)
        // Folds side by side share the cores, each with a thread count fixed by its position, as in `run`.
        // Each fold's outcome: nil when trained to max_iter, else why not.
        let outcomes = FoldScheduler.run(foldList, width: width) { fold, _ -> Outcome? in
            var job = Trainer.Job(solverPath: solver)
            job.substitutions = subs
            if let fold { job.substitutions["kfoldi"] = String(fold) }
            job.baseFolder = base
            job.maxIter = maxIter
            job.resume = resume
            job.weights = weights
            job.stainJitter = stainJitter ? StainJitter() : nil
            job.seed = seed
            let label = fold.map { "fold \($0)" } ?? "train"
            do {
                let trainer = try Trainer(job)
                trainer.logger = log
                let bar = ProgressBar(label, total: trainer.solverDefinition.maxIter)
                let model = try trainer.run(progress: { p in bar.update(done: p.iteration) },
                                            shouldStop: { StopSignal.isRequested })
                bar.finish()
                let reached = trainer.solver.iteration, target = trainer.solverDefinition.maxIter
                if reached < target {
                    // Stopped by SIGINT/SIGTERM: the snapshot is written; the loss plot waits for the end.
                    let state = String(model.dropLast(".caffemodel".count)) + ".resume.json"
                    return .interrupted(label, "stopped at iteration \(reached) of \(target); continue with --resume \(state)")
                }
                try TrainingLog.write(logPath: trainer.logPath)
                print("\(label): \(model) (log \(trainer.logPath))")
                return nil
            } catch {
                log.error("\(label): \(error)")
                return .failed(label)
            }
        }
        .compactMap { $0 }
        for case let .interrupted(label, note) in outcomes { print("\(label): interrupted: \(note)") }
        let failures = outcomes.compactMap { o -> String? in if case .failed(let label) = o { return label } else { return nil } }
        if !failures.isEmpty {
            print("\(failures.count) of \(foldList.count) trainings failed: \(failures.joined(separator: ", "))")
            throw ExitCode.failure
        }
        // Interrupted: exit non-zero (as a signal's 128 + 2 for Ctrl-C), so a script or scheduler does not
        // take the run for finished.
        if !outcomes.isEmpty { throw ExitCode(130) }
    }

    /// Why a fold did not finish.
    enum Outcome { case failed(String), interrupted(String, String) }

    func parseFolds(_ text: String) throws -> [Int?] {
        var out: [Int?] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int($0) }
            guard (ends.count == 1 || ends.count == 2), ends.allSatisfy({ $0 >= 1 }), ends.first! <= ends.last! else {
                throw ValidationError("--folds: expected a list like 1-5 or 1,3, got '\(text)'")
            }
            out += (ends.first!...ends.last!).map { $0 }
        }
        return out
    }
}
