import Foundation

/// oneDNN runs its primitives on OpenMP threads (Debian's build links libgomp). By default idle OpenMP
/// threads spin at every barrier; when the other core is busy (a second job, a browser, CI running tests in
/// parallel) a spinning thread steals it and training ran 2.7x slower here (see docs/PERFORMANCE.md).
/// libgomp reads its settings when it is loaded, before `main`, so when the user has not chosen a policy we
/// set `OMP_WAIT_POLICY=PASSIVE` and re-execute ourselves once.
enum OpenMPSetup {
    static func ensurePassiveWait() {
        guard getenv("OMP_WAIT_POLICY") == nil, getenv("MITOSIS_NO_REEXEC") == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        setenv("MITOSIS_NO_REEXEC", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv only returns on failure: carry on with the default policy.
    }
}
