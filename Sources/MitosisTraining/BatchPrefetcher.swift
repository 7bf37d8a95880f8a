// Caffe's `BasePrefetchingDataLayer`: a background thread fills a small queue of ready batches so reading
// and transforming the next batch overlaps the solver's work on the current one.
//
// Determinism: the producer is the only user of its reader and random generator and makes batches strictly
// in order, so the sequence of batches is the same whatever the timing; prefetching only changes when a
// batch is made, never which.
import MitosisSupport
import Foundation
import MitosisNN

/// One batch: data (N, C, H, W) and labels (N). Not API.
typealias _Batch = (data: Tensor, label: Tensor)

/// Runs `produce` on a dedicated thread, keeping up to `depth` batches ready. Not API.
final class _BatchPrefetcher: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [_Batch] = []
    /// The error that stopped the producer; delivered after the batches made before it.
    private var failure: Error?
    private var stopping = false
    private let depth: Int
    private let exited = DispatchSemaphore(value: 0)

    /// The batch maker; dropped by the thread before `stop()` returns, so its reader (and the database handle
    /// it keeps open) is released by then.
    private var produce: (() throws -> _Batch)?

    init(depth: Int, name: String, produce: @escaping () throws -> _Batch) {
        precondition(depth > 0, "_BatchPrefetcher: depth must be positive")
        self.depth = depth
        self.produce = produce
        let thread = Thread { [self] in
            run()
            condition.lock()
            self.produce = nil
            condition.unlock()
            exited.signal()
        }
        thread.name = name
        thread.start()
    }

    private func run() {
        condition.lock()
        guard let produce else {
            condition.unlock()
            return
        }
        condition.unlock()
        while true {
            condition.lock()
            while ready.count >= depth && !stopping { condition.wait() }
            let stop = stopping
            condition.unlock()
            if stop { return }
            let batch: _Batch
            do { batch = try produce() } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.lock()
            ready.append(batch)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The oldest ready batch, waiting for it if necessary; rethrows the producer's error once the batches
    /// made before it have been taken.
    func take() throws -> _Batch {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && failure == nil { condition.wait() }
        if ready.isEmpty, let failure { throw failure }
        let batch = ready.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Stops the producer and waits until its thread has let go of the reader.
    func stop() {
        condition.lock()
        let alreadyStopped = stopping
        stopping = true
        condition.broadcast()
        condition.unlock()
        if !alreadyStopped { exited.wait() }
    }
}
