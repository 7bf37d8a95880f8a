import Foundation

/// Ctrl-C handling for long runs: the first SIGINT asks the run to stop cleanly (snapshot, then exit); a
/// second one exits at once.
enum StopSignal {
    nonisolated(unsafe) private static var requested = false

    /// Installs the handler.
    static func install() {
        signal(SIGINT) { _ in
            if StopSignal.requested { _exit(130) }
            StopSignal.requested = true
            let note = "\ninterrupted: finishing the current step and writing a snapshot (Ctrl-C again to quit at once)\n"
            _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        }
    }

    /// True once Ctrl-C was pressed.
    static var isRequested: Bool { requested }
}
