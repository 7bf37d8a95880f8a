/// Errors of the pipeline steps; each names the file or option and says what to do.
public enum PipelineError: Error, CustomStringConvertible {
    case invalidOption(String)
    case missingInput(path: String, hint: String)
    case badFile(path: String, reason: String)
    /// Some images of a batch failed; the others were processed.
    case partialFailure(failed: Int, total: Int)

    public var description: String {
        switch self {
        case let .invalidOption(message): return message
        case let .missingInput(path, hint): return "\(path): not found. HINT: \(hint)"
        case let .badFile(path, reason): return "\(path): \(reason)"
        case let .partialFailure(failed, total): return "\(failed) of \(total) images failed (see the messages above)"
        }
    }
}
