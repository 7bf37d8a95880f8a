/// A small deterministic PRNG (SplitMix64) for every random choice the pipeline makes.
///
/// Same seed, same sequence, on every platform and thread count. Streams for independent work items are
/// derived with `SeededRandom(seed:stream:)`, so parallel workers never share a generator.
public typealias SeededRandom = SplitMix64
