import Foundation

/// A one-line progress display with an ETA on stderr. When stderr is not a terminal (a log file, a batch
/// job), a plain line with the same figures is written at most once a minute instead, so a log shows where a
/// long run is; short work writes nothing there.
///
/// Thread-safe: workers on both cores may call `advance()`.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private let lock = NSLock()
    private var done = 0
    private var lastDraw = Date.distantPast
    /// Seconds between plain lines when stderr is not a terminal.
    private let logInterval: TimeInterval
    private var lastLog: Date

    init(_ label: String, total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1, logInterval: TimeInterval = 60) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled
        self.logInterval = logInterval
        lastLog = start
    }

    /// Records `n` more finished units.
    func advance(by n: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        let now = Date()
        guard enabled else {
            if now.timeIntervalSince(lastLog) >= logInterval {
                lastLog = now
                FileHandle.standardError.write(Data((status(now: now) + "\n").utf8))
            }
            return
        }
        if now.timeIntervalSince(lastDraw) < 0.2 && done < total { return }
        lastDraw = now
        draw(now: now)
    }

    /// Sets the absolute count of finished units.
    func update(done newValue: Int) {
        lock.lock(); let delta = newValue - done; lock.unlock()
        advance(by: delta)
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }

    private func draw(now: Date) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + status(now: now)).utf8))
    }

    /// "label done/total (p%) elapsed m:ss ETA m:ss".
    func status(now: Date) -> String {
        let elapsed = now.timeIntervalSince(start)
        let fraction = Double(done) / Double(total)
        let eta = done > 0 ? elapsed / fraction - elapsed : .nan
        return String(format: "%@ %d/%d (%.0f%%) elapsed %@ ETA %@", label, done, total,
                      fraction * 100, ProgressBar.clock(elapsed), ProgressBar.clock(eta))
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// A progress bar made on the first (done, total) report, for library calls that say their total only once
/// they know it. Thread-safe.
final class LazyProgressBar: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var bar: ProgressBar?
    init(_ label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        if bar == nil { bar = ProgressBar(label, total: total) }
        let current = bar
        lock.unlock()
        current?.update(done: done)
    }

    func finish() {
        lock.lock(); let current = bar; lock.unlock()
        current?.finish()
    }
}
