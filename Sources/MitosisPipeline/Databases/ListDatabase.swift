// Caffe's `convert_imageset [-shuffle] ROOT LIST DB` followed by `compute_image_mean DB MEAN`, as the
// tutorial's step 3 ran them on the list files of step 2 and the PNG patches of step 1.
//
// As convert_imageset: the list's image path is everything before the last space or tab, the label the
// integer after it; keys are `%08d_<path as written in the list>` in (shuffled) list order; records are raw
// (not encoded) BGR Datums. As compute_image_mean: the mean is the per-pixel average of every record, a
// 1 x C x H x W float blob. Departures: the shuffle uses our seeded generator (Caffe's shuffle is seeded by
// the time of day unless built otherwise), and a failed image fails the whole build instead of being skipped
// with a log line, so a database is never published with patches silently missing.
import Foundation
import Logging
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisStore
import MitosisSupport

/// Builds a patch database from a tutorial-style list (`<image file> <label>` per line) and image files.
public struct ListDatabase {
    /// One line of a list file.
    public struct Entry: Sendable, Equatable {
        /// The image path as written in the list, relative to the root folder.
        public var name: String
        public var label: Int
        /// 1-based line number in the list file.
        public var line: Int
        public init(name: String, label: Int, line: Int) { self.name = name; self.label = label; self.line = line }
    }

    /// What a build wrote.
    public struct Report: Sendable, Equatable {
        public var records: Int
        public var channels: Int
        public var height: Int
        public var width: Int
    }

    /// Images that could not be read; the build was not finished.
    public struct ImageFailures: Error, CustomStringConvertible {
        /// Each failed image's path and reason, in list order.
        public var failures: [(path: String, reason: String)]
        public var total: Int
        public var description: String {
            let shown = failures.prefix(10).map { "  \($0.path): \($0.reason)" }
            let more = failures.count > 10 ? ["  ... and \(failures.count - 10) more"] : []
            return "\(failures.count) of \(total) images failed; the database was not written:\n"
                + (shown + more).joined(separator: "\n")
                + "\nHINT: fix or remove the listed images (or their list lines) and re-run"
        }
    }

    public var backend: StoreBackend = .lmdb
    /// Shuffle the list before writing (`convert_imageset -shuffle`).
    public var shuffle = true
    public var seed: UInt64 = 1
    /// Replace an existing database at the output path.
    public var overwrite = false
    /// Records per write transaction (Caffe's 1,000).
    public var transactionSize = 1_000
    public var logger = Logger(label: "mitosis.db")

    public init(backend: StoreBackend = .lmdb, shuffle: Bool = true, seed: UInt64 = 1) {
        self.backend = backend; self.shuffle = shuffle; self.seed = seed
    }

    /// Reads a list file. Blank lines are skipped.
    /// - Throws: `PipelineError.missingInput` for a missing list, `.badFile` naming `path:line` for a bad line.
    public static func readList(_ path: String) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.missingInput(path: path, hint: "give a list file written by `mitosis folds` (e.g. train_w32_1.txt)")
        }
        var entries: [Entry] = []
        // `isNewline` also splits "\r\n", which Swift keeps as one Character.
        let text = String(decoding: data, as: UTF8.self)
        for (n, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let cut = line.lastIndex(where: { $0 == " " || $0 == "\t" }),
                  let label = Int(line[line.index(after: cut)...]) else {
                throw PipelineError.badFile(path: "\(path):\(n + 1)",
                    reason: "expected '<image file> <integer label>', found '\(line)'")
            }
            let name = line[..<cut].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                throw PipelineError.badFile(path: "\(path):\(n + 1)", reason: "no image file before the label in '\(line)'")
            }
            entries.append(Entry(name: name, label: label, line: n + 1))
        }
        return entries
    }

    /// Writes the database at `output` from the images of `list` under `root`, and the mean image to `mean`.
    ///
    /// Images are decoded on all cores, then written in (shuffled) list order. All images must have the size
    /// and colour count of the first one. If any image fails, every failure is logged, nothing is published
    /// (no database at `output`, no mean) and `ImageFailures` is thrown.
    public func build(list: String, root: String, output: String, mean: String? = nil) throws -> Report {
        var entries = try Self.readList(list)
        guard !entries.isEmpty else { throw PipelineError.badFile(path: list, reason: "the list has no images") }
        if shuffle {
            var rng = SeededRandom(seed: seed, stream: SeededRandom.stream("list-db"))
            rng.shuffle(&entries)
        }
        let store = try openStore(at: URL(fileURLWithPath: output), backend: backend, access: .create(overwrite: overwrite))
        defer { store.close() }
        var failures: [(path: String, reason: String)] = []
        var shape: (c: Int, h: Int, w: Int)?
        var sums: [Double] = []
        var written = 0
        var txn = try store.beginTransaction()
        for start in stride(from: 0, to: entries.count, by: transactionSize) {
            let chunk = Array(entries[start..<min(start + transactionSize, entries.count)])
            let decoded = ParallelMap.map(chunk) { e -> Result<Datum, Error> in
                Result { Datum(image: try ImageIO.read(Self.path(e.name, in: root)), label: e.label) }
            }
            for (offset, (entry, result)) in zip(chunk, decoded).enumerated() {
                let path = Self.path(entry.name, in: root)
                let datum: Datum
                switch result {
                case .success(let d): datum = d
                case .failure(let error):
                    failures.append((path, "\(error)"))
                    logger.error("\(path): \(error)")
                    continue
                }
                let s = shape ?? (datum.channels, datum.height, datum.width)
                guard (datum.channels, datum.height, datum.width) == s else {
                    let reason = "\(datum.width)x\(datum.height)x\(datum.channels) differs from the first image's \(s.w)x\(s.h)x\(s.c)"
                    failures.append((path, reason))
                    logger.error("\(path): \(reason)")
                    continue
                }
                if shape == nil { shape = s; sums = [Double](repeating: 0, count: datum.data.count) }
                guard failures.isEmpty else { continue }  // keep checking images, stop writing
                for (j, v) in datum.data.enumerated() { sums[j] += Double(v) }
                try txn.put(key: StoreKey.caffe(index: start + offset, name: entry.name), value: datum.serializedBytes())
                written += 1
            }
            if failures.isEmpty {
                try txn.commit()
                txn = try store.beginTransaction()
            }
        }
        guard failures.isEmpty, let shape else {
            txn.abort()
            throw ImageFailures(failures: failures, total: entries.count)
        }
        try txn.commit()
        if let mean {
            let tensor = Tensor(shape: [1, shape.c, shape.h, shape.w], data: sums.map { Float($0 / Double(written)) })
            try MeanImage.write(tensor, to: URL(fileURLWithPath: mean))
        }
        try store.finish()
        logger.info("\(output): \(written) records")
        return Report(records: written, channels: shape.c, height: shape.h, width: shape.w)
    }

    private static func path(_ name: String, in root: String) -> String {
        name.hasPrefix("/") || root.isEmpty ? name : (root.hasSuffix("/") ? root + name : root + "/" + name)
    }
}
