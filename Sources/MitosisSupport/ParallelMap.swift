import Foundation

/// The parallel loops of the project over whole items (images, folds, patients); `ParallelChunks` splits one
/// loop over indices. Both live here so that every module uses the same two.
/// Order-preserving parallel map over both cores.
public enum ParallelMap {
    /// Applies `transform` to every element using all cores; results keep the input order.
    public static func map<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
        var results = [R?](repeating: nil, count: items.count)
        let lock = NSLock()
        results.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            DispatchQueue.concurrentPerform(iterations: items.count) { i in
                let r = transform(items[i])
                lock.lock(); out[i] = r; lock.unlock()
            }
        }
        return results.map { $0! }
    }

    /// `map` that also reports `(done, total)` as items finish (from the worker threads).
    public static func map<T, R>(_ items: [T], progress: (@Sendable (Int, Int) -> Void)?, _ transform: (T) -> R) -> [R] {
        let done = _DoneCounter()
        return map(items) { item in
            let r = transform(item)
            progress?(done.increment(), items.count)
            return r
        }
    }

    /// Runs `transform` on `width` dedicated threads at a time (for long jobs that use parallelism of their
    /// own, such as trainings, which should not occupy the shared dispatch pool); results keep the input
    /// order. `transform` also receives the worker slot (0..<width) that runs it.
    public static func onThreads<T, R>(_ items: [T], width: Int, _ transform: @escaping (T, Int) -> R) -> [R] {
        let state = _ThreadJobsState<R>(count: items.count, width: max(1, width))
        let slots = DispatchSemaphore(value: max(1, width))
        let group = DispatchGroup()
        for (i, item) in items.enumerated() {
            slots.wait()
            state.lock.lock(); let slot = state.free.removeLast(); state.lock.unlock()
            group.enter()
            let thread = Thread {
                let r = transform(item, slot)
                state.lock.lock(); state.results[i] = r; state.free.append(slot); state.lock.unlock()
                slots.signal()
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return state.results.map { $0! }
    }
}

/// Shared state of `ParallelMap.onThreads`, guarded by its lock. Not API.
final class _ThreadJobsState<R>: @unchecked Sendable {
    let lock = NSLock()
    var results: [R?]
    var free: [Int]
    init(count: Int, width: Int) { results = Array(repeating: nil, count: count); free = Array(0..<width) }
}

/// Finished items of `ParallelMap.map(_:progress:_:)`. Not API.
final class _DoneCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
