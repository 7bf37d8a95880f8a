import Foundation

/// Stop requests for long runs: the first SIGINT (Ctrl-C) or SIGTERM (`kill`, Slurm at a time limit) asks the
/// run to stop cleanly (snapshot, then exit); a second one exits at once.
enum StopSignal {
    nonisolated(unsafe) private static var requested = false

    /// Installs the handler for SIGINT and SIGTERM.
    static func install() {
        // A launcher may start us with these signals blocked (the mask is inherited through exec): unblock
        // them, or a stop request would stay pending until the run ends.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                if StopSignal.requested { _exit(128 + received) }
                StopSignal.requested = true
                let note = "\ninterrupted: finishing the current step and writing a snapshot (Ctrl-C again to quit at once)\n"
                _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            }
        }
    }

    /// True once a stop was asked for.
    static var isRequested: Bool { requested }
}
