import Foundation
import MitosisCaffe
import MitosisImage
import MitosisNN
import MitosisStore
import MitosisSupport
import Testing
@testable import MitosisPipeline

/// A tiny step-1 output written for these tests: patch archives, index.json and folds.json in a temp folder.
struct TinyPatchSet {
    static let size = 8
    /// Image name -> its patches, for 4 images of 3 patients.
    let archives: [String: [Patch]]
    let index: PatchIndex
    let folds: FoldStep.Summary
    let folder: String

    init(seed: UInt64 = 3) throws {
        folder = databaseTestFolder("patches")
        let images = [("1_01", "1"), ("2_01", "2"), ("3_01", "3"), ("3_02", "3")]
        var rng = SeededRandom(seed: seed)
        var archives: [String: [Patch]] = [:]
        var entries: [PatchIndex.Entry] = []
        for (n, (name, patient)) in images.enumerated() {
            let positives = 2 + n % 2, negatives = 3
            var patches: [Patch] = []
            for k in 0..<(positives + negatives) {
                let label: UInt8 = k < positives ? 1 : 0
                let pixels = (0..<(Self.size * Self.size * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                patches.append(Patch(label: label, index: UInt32(k + 1), angle: Int16(90 * (k % 4)),
                                     x: UInt16(k), y: UInt16(n), pixels: pixels))
            }
            try PatchArchive.write(patches, size: Self.size, to: "\(folder)/\(name).patches")
            archives[name] = patches
            entries.append(PatchIndex.Entry(name: name, patient: patient, mitoses: 1, positives: positives,
                                            negatives: negatives, archive: "\(name).patches"))
        }
        var options = PatchOptions()
        options.patchSize = Self.size
        index = PatchIndex(options: options, entries: entries, excluded: [:])
        try index.write(to: folder)
        folds = try FoldStep(folds: 3, seed: 1).run(index, into: folder)
        self.archives = archives
    }

    /// The patch called `name` (a tutorial file name), and its image.
    func patch(named name: String) -> (image: String, patch: Patch)? {
        for (image, patches) in archives {
            if let p = patches.first(where: { $0.fileName(image: image) == name }) { return (image, p) }
        }
        return nil
    }

    /// Patches of the given patients.
    func patches(of patients: [String]) -> [Patch] {
        index.entries.filter { patients.contains($0.patient) }.flatMap { archives[$0.name]! }
    }
}

func databaseTestFolder(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// All records of a database, in key order.
func readDatabaseRecords(_ path: String, backend: StoreBackend) throws -> [StoreRecord] {
    let store = try openStore(at: URL(fileURLWithPath: path), backend: backend, access: .readOnly)
    defer { store.close() }
    var out: [StoreRecord] = []
    try store.forEachRecord { out.append($0) }
    return out
}

/// RGB H x W x 3 -> BGR 3 x H x W, written out independently of `Datum(image:)`.
func bgrPlanes(_ rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: rgb.count)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<3 { out[(c * height + y) * width + x] = rgb[(y * width + x) * 3 + (2 - c)] }
        }
    }
    return out
}

@Suite struct DatabaseStepTests {
    @Test(arguments: StoreBackend.allCases)
    func buildsEveryFoldFaithfully(backend: StoreBackend) throws {
        let set = try TinyPatchSet()
        defer { try? FileManager.default.removeItem(atPath: set.folder) }
        let out = set.folder + "/db"
        try DatabaseStep(backend: backend, seed: 7).run(set.index, patchFolder: set.folder, folds: set.folds, into: out)
        let s = TinyPatchSet.size
        for fold in set.folds.folds {
            let paths = DatabaseStep.paths(fold: fold.fold, patchSize: s, in: out)
            for (path, patients) in [(paths.train, fold.trainPatients), (paths.test, fold.testPatients)] {
                let records = try readDatabaseRecords(path, backend: backend)
                #expect(records.count == set.patches(of: patients).count, "\(path)")
                for (n, record) in records.enumerated() {
                    let key = record.keyString
                    #expect(key.hasPrefix(String(format: "%08d_", n)), "\(key)")
                    let name = String(key.dropFirst(9))
                    let patient = String(name.prefix { $0 != "_" })
                    #expect(patients.contains(patient), "\(key) in \(path)")
                    guard let (_, patch) = set.patch(named: name) else {
                        Issue.record("\(key): no such patch")
                        continue
                    }
                    let datum = try Datum(serializedBytes: record.value)
                    #expect(datum.channels == 3 && datum.height == s && datum.width == s)
                    #expect(datum.label == Int(patch.label))
                    #expect(datum.data == bgrPlanes(patch.pixels, width: s, height: s), "\(key)")
                }
            }
            // No test patient in the training side.
            let trainNames = try readDatabaseRecords(paths.train, backend: backend).map { String($0.keyString.dropFirst(9)) }
            for patient in fold.testPatients { #expect(!trainNames.contains { $0.hasPrefix(patient + "_") }) }
            // The mean equals the direct average of the training patches (BGR, channel-major).
            let train = set.patches(of: fold.trainPatients)
            var sums = [Double](repeating: 0, count: 3 * s * s)
            for p in train { for (j, v) in bgrPlanes(p.pixels, width: s, height: s).enumerated() { sums[j] += Double(v) } }
            let mean = try MeanImage.read(contentsOf: URL(fileURLWithPath: paths.mean))
            #expect(mean.shape == [1, 3, s, s])
            let worst = zip(mean.data, sums).map { abs(Double($0) - $1 / Double(train.count)) }.max() ?? 1
            #expect(worst < 1e-4)
        }
    }

    @Test func keyBytesMatchStoreKey() {
        var key: [UInt8] = []
        for index in [0, 7, 12_345_678, 99_999_999, 100_000_000, 4_000_000_123] {
            StoreKey.caffe(index: index, name: Array("05_01_1_p_3_45.png".utf8)[...], into: &key)
            #expect(String(decoding: key, as: UTF8.self) == StoreKey.caffe(index: index, name: "05_01_1_p_3_45.png"))
        }
    }

    /// Progress is `(done, total)` over every database of the step, as every step reports it; on a re-run
    /// the finished databases count as done from the start.
    @Test func progressCountsEveryDatabaseAndFinishedOnesFromTheStart() throws {
        let set = try TinyPatchSet()
        defer { try? FileManager.default.removeItem(atPath: set.folder) }
        final class Reports: @unchecked Sendable {
            let lock = NSLock(); var all: [[Int]] = []
            func add(_ d: Int, _ t: Int) { lock.lock(); all.append([d, t]); lock.unlock() }
        }
        let total = set.folds.folds.count * 2
        let first = Reports()
        try DatabaseStep(backend: .lmdb, seed: 5).run(set.index, patchFolder: set.folder, folds: set.folds, into: set.folder + "/db",
                                                      progress: first.add)
        #expect(first.all.first == [0, total] && first.all.last == [total, total], "\(first.all)")
        #expect(Set(first.all.map { $0[0] }) == Set(0...total), "every count once: \(first.all)")
        try FileManager.default.removeItem(atPath: DatabaseStep.paths(fold: 1, patchSize: TinyPatchSet.size, in: set.folder + "/db").train)
        let again = Reports()
        try DatabaseStep(backend: .lmdb, seed: 5).run(set.index, patchFolder: set.folder, folds: set.folds, into: set.folder + "/db",
                                                      progress: again.add)
        #expect(again.all == [[total - 1, total], [total, total]], "\(again.all)")
    }

    /// Step 6 builds one side alone with `build`; it must write what `run` writes for that side.
    @Test func buildingOneSideMatchesTheWholeRun() throws {
        let set = try TinyPatchSet()
        defer { try? FileManager.default.removeItem(atPath: set.folder) }
        let step = DatabaseStep(backend: .lmdb, seed: 5)
        try step.run(set.index, patchFolder: set.folder, folds: set.folds, into: set.folder + "/all")
        let fold = set.folds.folds[1]
        try step.build(fold: fold.fold, train: true, patients: Set(fold.trainPatients), index: set.index,
                       patchFolder: set.folder, into: set.folder + "/one")
        let all = DatabaseStep.paths(fold: fold.fold, patchSize: TinyPatchSet.size, in: set.folder + "/all")
        let one = DatabaseStep.paths(fold: fold.fold, patchSize: TinyPatchSet.size, in: set.folder + "/one")
        let a = try readDatabaseRecords(all.train, backend: .lmdb), b = try readDatabaseRecords(one.train, backend: .lmdb)
        #expect(a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value) && !a.isEmpty)
        #expect(FileManager.default.contents(atPath: all.mean) == FileManager.default.contents(atPath: one.mean))
        #expect(!FileManager.default.fileExists(atPath: one.test))
    }

    @Test func shuffleIsSeeded() throws {
        let set = try TinyPatchSet()
        defer { try? FileManager.default.removeItem(atPath: set.folder) }
        func keys(seed: UInt64, _ folder: String) throws -> [String] {
            let out = set.folder + "/" + folder
            try DatabaseStep(backend: .lmdb, seed: seed).run(set.index, patchFolder: set.folder, folds: set.folds, into: out)
            return try readDatabaseRecords(DatabaseStep.paths(fold: 1, patchSize: TinyPatchSet.size, in: out).train, backend: .lmdb)
                .map { String($0.keyString.dropFirst(9)) }
        }
        let a = try keys(seed: 11, "a"), b = try keys(seed: 11, "b"), c = try keys(seed: 12, "c")
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a) == Set(c))
        // Shuffled: not the archive order.
        let fold = set.folds.folds[0]
        let archiveOrder = set.index.entries.filter { fold.trainPatients.contains($0.patient) }
            .flatMap { e in set.archives[e.name]!.map { $0.fileName(image: e.name) } }
        #expect(a != archiveOrder)
    }
}

@Suite struct ListDatabaseTests {
    /// Writes `count` random RGB PNGs under `folder/png` and returns (name, image, label).
    func writePNGs(_ folder: String, count: Int, size: Int = 6) throws -> [(name: String, image: Image, label: Int)] {
        try FileManager.default.createDirectory(atPath: folder + "/png", withIntermediateDirectories: true)
        var rng = SeededRandom(seed: 9)
        return try (0..<count).map { i in
            let pixels = (0..<(size * size * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let image = Image(width: size, height: size, channels: 3, pixels: pixels)
            let name = "png/p_\(i).png"
            try ImageIO.write(image, to: folder + "/" + name)
            return (name, image, i % 2)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func roundTripFromPNGs(backend: StoreBackend) throws {
        let folder = databaseTestFolder("list")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = try writePNGs(folder, count: 9)
        // Space and tab separators, a blank line, CRLF.
        let text = images.enumerated().map { i, e in "\(e.name)\(i % 2 == 0 ? " " : "\t")\(e.label)" }.joined(separator: "\r\n") + "\n\n"
        try text.write(toFile: folder + "/list.txt", atomically: true, encoding: .utf8)
        var builder = ListDatabase(backend: backend, shuffle: false)
        let report = try builder.build(list: folder + "/list.txt", root: folder, output: folder + "/DB", mean: folder + "/mean.binaryproto")
        #expect(report == ListDatabase.Report(records: 9, channels: 3, height: 6, width: 6))
        let records = try readDatabaseRecords(folder + "/DB", backend: backend)
        #expect(records.map(\.keyString) == images.enumerated().map { StoreKey.caffe(index: $0, name: $1.name) })
        var sums = [Double](repeating: 0, count: 3 * 36)
        for (record, e) in zip(records, images) {
            let datum = try Datum(serializedBytes: record.value)
            let expected = bgrPlanes(e.image.pixels, width: 6, height: 6)
            #expect(datum.data == expected)
            #expect(datum.label == e.label)
            for (j, v) in expected.enumerated() { sums[j] += Double(v) }
        }
        let mean = try MeanImage.read(contentsOf: URL(fileURLWithPath: folder + "/mean.binaryproto"))
        #expect(mean.shape == [1, 3, 6, 6])
        #expect(zip(mean.data, sums).allSatisfy { abs(Double($0) - $1 / 9) < 1e-4 })

        // Shuffled with a seed: same records, another order, the same order again for the same seed.
        builder.shuffle = true
        builder.seed = 4
        _ = try builder.build(list: folder + "/list.txt", root: folder, output: folder + "/S1")
        _ = try builder.build(list: folder + "/list.txt", root: folder, output: folder + "/S2")
        let s1 = try readDatabaseRecords(folder + "/S1", backend: backend), s2 = try readDatabaseRecords(folder + "/S2", backend: backend)
        #expect(s1 == s2)
        #expect(Set(s1.map(\.value)) == Set(records.map(\.value)))
        #expect(s1.map(\.value) != records.map(\.value))
    }

    @Test func badLineNamesListAndLine() throws {
        let folder = databaseTestFolder("list-bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "a.png 0\nb.png 1\nc.png one\n".write(toFile: folder + "/list.txt", atomically: true, encoding: .utf8)
        #expect { try ListDatabase.readList(folder + "/list.txt") } throws: { "\($0)".contains("list.txt:3") }
        try "a.png 0\n7\n".write(toFile: folder + "/list.txt", atomically: true, encoding: .utf8)
        #expect { try ListDatabase().build(list: folder + "/list.txt", root: folder, output: folder + "/DB") } throws: {
            "\($0)".contains("list.txt:2")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/DB"))
    }

    @Test func missingAndCorruptImagesFailTheBuild() throws {
        let folder = databaseTestFolder("list-missing")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = try writePNGs(folder, count: 4)
        try Data("not a png at all".utf8).write(to: URL(fileURLWithPath: folder + "/png/corrupt.png"))
        let lines = images.map { "\($0.name) \($0.label)" } + ["png/missing.png 1", "png/corrupt.png 0"]
        try lines.joined(separator: "\n").write(toFile: folder + "/list.txt", atomically: true, encoding: .utf8)
        do {
            _ = try ListDatabase().build(list: folder + "/list.txt", root: folder, output: folder + "/DB", mean: folder + "/m.binaryproto")
            Issue.record("the build should fail")
        } catch let error as ListDatabase.ImageFailures {
            #expect(error.failures.count == 2 && error.total == 6)
            #expect("\(error)".contains("2 of 6 images failed"))
            #expect("\(error)".contains("png/missing.png") && "\(error)".contains("png/corrupt.png"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/DB"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/m.binaryproto"))
        #expect(throws: StoreError.self) { try openStore(at: URL(fileURLWithPath: folder + "/DB"), access: .readOnly) }
    }
}
