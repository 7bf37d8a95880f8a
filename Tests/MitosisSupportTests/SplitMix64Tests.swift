import Foundation
import Testing
import MitosisSupport

/// The generator and its shuffle against an independent Python implementation of the same definitions
/// (written in the test, run with python3), so the sequence is pinned by something other than this code:
/// the same seed must give the same databases and folds on any Swift release.
@Suite struct SplitMix64Tests {
    static let python = """
        M = (1 << 64) - 1
        def mix(z):
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
            return z ^ (z >> 31)
        class G:
            def __init__(self, seed): self.s = seed & M
            def next(self):
                self.s = (self.s + 0x9E3779B97F4A7C15) & M
                return mix(self.s)
            def below(self, n): return (self.next() * n) >> 64
        def stream(seed, stream):
            g = G(seed ^ ((stream * 0x9E3779B97F4A7C15) & M))
            return G(g.next() ^ stream)
        def shuffle(g, a):
            for i in range(len(a) - 1, 0, -1):
                j = g.below(i + 1)
                a[i], a[j] = a[j], a[i]
            return a
        g = G(1); print(" ".join(str(g.next()) for _ in range(4)))
        g = G(42); print(" ".join(str(g.below(n)) for n in [1, 2, 3, 10, 1000, 2**40]))
        print(" ".join(str(x) for x in shuffle(G(7), list(range(20)))))
        print(" ".join(str(x) for x in shuffle(stream(5, 123), list(range(12)))))
        """

    static func reference() throws -> [[UInt64]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", python]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python3 failed")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").map { UInt64($0)! } }
    }

    @Test func sequenceIntegersAndShufflesMatchAnIndependentImplementation() throws {
        let lines = try Self.reference()
        try #require(lines.count == 4)
        var g = SplitMix64(seed: 1)
        #expect((0..<4).map { _ in g.next() } == lines[0])
        var h = SplitMix64(seed: 42)
        #expect([1, 2, 3, 10, 1000, 1 << 40].map { UInt64(h.int(below: $0)) } == lines[1])
        var s = SplitMix64(seed: 7)
        #expect(s.shuffled(Array(0..<20)).map(UInt64.init) == lines[2])
        var t = SplitMix64(seed: 5, stream: 123)
        #expect(t.shuffled(Array(0..<12)).map(UInt64.init) == lines[3])
    }

    @Test func aShuffleIsAPermutationAndTheSameSeedGivesTheSameOne() {
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let x = a.shuffled(Array(0..<1000)), y = b.shuffled(Array(0..<1000))
        #expect(x == y && x.sorted() == Array(0..<1000) && x != Array(0..<1000))
        var c = SplitMix64(seed: 9)
        var empty: [Int] = [], one = [5]
        c.shuffle(&empty); c.shuffle(&one)
        #expect(empty.isEmpty && one == [5])
    }
}
