// The oneDNN engine, stream and thread count shared by every kernel.
import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide oneDNN CPU engine, and one stream per calling thread.
///
/// Debian's libdnnl is built with the OpenMP runtime (it links libgomp), so oneDNN runs each primitive on
/// `OMP_NUM_THREADS` threads, by default one per core. Calls are synchronous: every kernel waits on its
/// thread's stream before it returns. oneDNN streams are not meant to be shared between threads, so nets
/// used on different threads (e.g. `mitosis train --jobs 2`) each get their own.
public enum DNNL {
    /// Number of OpenMP threads oneDNN uses for one primitive (`omp_get_max_threads()`).
    public static var threadCount: Int { _threadCount }

    /// oneDNN's version, e.g. "2.6.3".
    public static var version: String {
        guard let v = dnnl_version() else { return "?" }
        return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.patch)"
    }

    /// Threading runtime compiled into the library (`DNNL_CPU_RUNTIME`): "OpenMP", "TBB", "threadpool", "sequential".
    public static var runtime: String {
        guard let v = dnnl_version() else { return "?" }
        switch v.pointee.cpu_runtime {
        case UInt32(DNNL_RUNTIME_OMP): return "OpenMP"
        case UInt32(DNNL_RUNTIME_TBB): return "TBB"
        case UInt32(DNNL_RUNTIME_THREADPOOL): return "threadpool"
        case UInt32(DNNL_RUNTIME_SEQ): return "sequential"
        default: return "other(\(v.pointee.cpu_runtime))"
        }
    }

    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var e: dnnl_engine_t?
        check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine_create")
        return e!
    }()

    /// The calling thread's stream, created on first use and destroyed when the thread exits.
    static var stream: dnnl_stream_t {
        if let existing = pthread_getspecific(streamKey) { return OpaquePointer(existing) }
        var s: dnnl_stream_t?
        check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "stream_create")
        pthread_setspecific(streamKey, UnsafeRawPointer(s!))
        return s!
    }

    private static let streamKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            if let pointer { dnnl_stream_destroy(OpaquePointer(pointer)) }
        }
        require(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// Sets how many OpenMP threads the primitives run *from the calling thread* use (`omp_set_num_threads`
    /// sets a per-thread value). Two trainings on two threads of one process each call it with 1 so that
    /// together they use the two cores without oversubscribing them. No effect without the OpenMP runtime.
    public static func setThreadCountForCallingThread(_ count: Int) {
        typealias SetThreads = @convention(c) (Int32) -> Void
        if let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "omp_set_num_threads") {
            unsafeBitCast(sym, to: SetThreads.self)(Int32(max(1, count)))
        }
    }

    private static let _threadCount: Int = {
        typealias MaxThreads = @convention(c) () -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "omp_get_max_threads") {
            return Int(unsafeBitCast(sym, to: MaxThreads.self)())
        }
        return 1
    }()

    /// Stops with `message` unless `condition` holds: a programming error in a caller of the kernels.
    /// (`require` and `check` use `fatalError`, not `precondition`: the kernels are compiled with
    /// `-Ounchecked`, which drops preconditions.)
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError(message()) }
    }

    /// Stops with a message if a oneDNN call failed: shapes are checked before they reach oneDNN, so a
    /// failure here is a programming error in the kernels.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        if status != dnnl_success { fatalError("oneDNN \(what()) failed with status \(status.rawValue)") }
    }
}
