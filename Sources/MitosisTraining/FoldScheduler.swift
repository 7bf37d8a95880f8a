import MitosisData
import MitosisNN
import MitosisSupport

/// Runs independent trainings (one per fold) `width` at a time, each on a dedicated thread with a oneDNN
/// thread count fixed by its position in the list, never by timing: oneDNN's reductions depend on the
/// thread count, so this is what makes the same seed and width give the same weights, whichever command
/// trains the fold (`mitosis run`, `mitosis train --folds --jobs`).
public enum FoldScheduler {
    /// oneDNN threads of the item at `position` (0-based) of `count` items run `width` at a time on `cores`
    /// cores: its share of the cores, and all of them for one alone (width 1, or a last item left over, as
    /// the fifth of five folds two at a time).
    public static func threads(position: Int, count: Int, width: Int, cores: Int) -> Int {
        let width = max(1, min(width, count))
        if width == 1 { return max(1, cores) }
        let alone = count % width == 1 && position == count - 1
        return alone ? max(1, cores) : max(1, cores / width)
    }

    /// `body` for every item, `width` at a time, results in input order. `body` gets the item and its
    /// position; the calling thread's oneDNN thread count is set before it runs.
    public static func run<T, R>(_ items: [T], width: Int, cores: Int = DNNL.threadCount,
                                 _ body: @escaping (T, Int) -> R) -> [R] {
        let count = items.count
        let w = max(1, min(width, count))
        return ParallelMap.onThreads(Array(items.enumerated()), width: w) { item, _ -> R in
            DNNL.setThreadCountForCallingThread(threads(position: item.offset, count: count, width: w, cores: cores))
            return body(item.element, item.offset)
        }
    }
}
