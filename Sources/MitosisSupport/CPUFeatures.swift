import Foundation

/// What the processor offers beyond the x86-64 baseline the project is compiled for, read once from
/// Linux's /proc/cpuinfo (the kernel lists AVX only when it also saves the AVX registers). Elsewhere, or on
/// other architectures, nothing: callers then take their baseline paths.
public enum CPUFeatures {
    /// Everything `-target-cpu haswell` (the MitosisResampleAVX module) may use: AVX2, FMA, BMI1/2, F16C,
    /// MOVBE, LZCNT (listed as `abm`), POPCNT, SSE4.2. Every x86-64 processor since 2013-2015 has them.
    public static let haswellClass: Bool = {
        #if arch(x86_64)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
        return flags.isSuperset(of: ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt", "sse4_2"])
        #else
        return false
        #endif
    }()
}
