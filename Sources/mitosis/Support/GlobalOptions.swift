import ArgumentParser
import Logging

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log debug detail to stderr.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Log only warnings and errors.")
    var quiet = false

    /// Sets up swift-log once and returns the command's logger.
    func logger(_ label: String) -> Logger {
        LoggingBootstrap.once(level: verbose ? .debug : (quiet ? .warning : .info))
        return Logger(label: "mitosis.\(label)")
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    nonisolated(unsafe) static var level: Logger.Level = .info

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        self.level = level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = LoggingBootstrap.level
            return handler
        }
    }
}
