/// Keeps freed memory in the process for reuse instead of returning it to the kernel. A slide tile or a map
/// allocates buffers of tens of MB and frees them a moment later; by default glibc trims the heap and serves
/// the larger blocks with fresh `mmap`s, so every tile paid for zeroed pages again: page faults and page
/// clearing were 8 % of the CPU samples of `mitosis slide`. Peak memory is unchanged (the same buffers are
/// reused); the resident size stays near the peak instead of falling between tiles. Measured in
/// docs/SLIDES.md ("Speed").
enum MemorySetup {
    static func keepFreedMemory() {
        #if os(Linux)
        // glibc's <malloc.h> (not in Swift's Glibc module): M_TRIM_THRESHOLD is -1, M_MMAP_THRESHOLD -3; the
        // largest mmap threshold glibc accepts on 64-bit systems is 32 MiB. A failed call changes nothing.
        _ = glibcMallopt(-1, Int32.max)
        _ = glibcMallopt(-3, 32 << 20)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
