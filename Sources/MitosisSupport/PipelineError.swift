/// Errors of the pipeline steps; each names the file or option and says what to do.
public enum PipelineError: Error, CustomStringConvertible {
    case invalidOption(String)
    case missingInput(path: String, hint: String)
    case badFile(path: String, reason: String)
    /// Some images of a batch failed; the others were processed.
    case partialFailure(failed: Int, total: Int)
    /// Stopped on request (Ctrl-C, SIGTERM) after writing what was finished.
    case interrupted
    /// Some folds of a run failed (each fold's message); the others finished and are kept.
    case foldsFailed(failed: [String], total: Int)
    /// An output folder was made with other settings (its settings file, and what they are).
    case otherSettings(path: String, what: String)

    public var description: String {
        switch self {
        case let .invalidOption(message): return message
        case let .missingInput(path, hint): return "\(path): not found. HINT: \(hint)"
        case let .badFile(path, reason): return "\(path): \(reason)"
        case let .partialFailure(failed, total): return "\(failed) of \(total) images failed (see the messages above)"
        case .interrupted: return "interrupted. HINT: re-run the same command to resume; finished steps are kept"
        case let .otherSettings(path, what):
            return "\(path): this folder was made with other settings (\(what)). HINT: use a new output folder, or delete it to start over."
        case let .foldsFailed(failed, total):
            return "\(failed.count) of \(total) folds failed: " + failed.joined(separator: "; ")
                + ". HINT: fix the cause and re-run the same command; the finished folds are kept and skipped"
        }
    }
}
