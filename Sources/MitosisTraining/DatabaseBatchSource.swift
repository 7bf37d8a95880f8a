// Step 4's input: Caffe's `Data` layer (data_layer.cpp) with its `DataTransformer` and the prefetch thread
// of `BasePrefetchingDataLayer`, feeding the solver from the patch databases of step 3.
//
// As in Caffe: each phase reads its own database in key order and starts over after the last record (a
// batch may span the wrap); the record shape is taken from the first record; TEST keeps its position between
// test runs. Departures: `backend` is taken from the database's own files when they disagree with the
// prototxt (the tutorial's prototxts leave Caffe's default LEVELDB while `mitosis db` writes LMDB by default;
// pass `detectBackend: false` for Caffe's strictness); see DataTransformer.swift for the transform.
import MitosisSupport
import Foundation
import MitosisCaffe
import MitosisImage
import MitosisNN
import MitosisStore

/// Batches for training and testing, read from Caffe `Datum` databases (or memory) and transformed the way
/// Caffe's data layer does: mean subtraction, scale, random crop and mirror in TRAIN, centre crop in TEST.
///
/// Batches are prepared on a background thread per phase, `prefetchDepth` ahead. For a given seed the
/// sequence of batches of each phase is the same whatever the timing and whatever the other phase does.
/// Ask for batches from one thread at a time (the solver's).
public final class DatabaseBatchSource: BatchSource {
    private var feeds: [Phase: _Feed] = [:]
    private var stores: [any KeyValueStore] = []
    private let lock = NSLock()

    /// One phase: its assembler, and the thread working ahead of it (nil when not prefetching).
    private struct _Feed {
        let assembler: _BatchAssembler
        let prefetcher: _BatchPrefetcher?
    }

    /// Opens the databases of the `Data` layers in `definitions`.
    ///
    /// - Parameters:
    ///   - definitions: per phase, the layer's `data_param` and `transform_param`.
    ///   - baseFolder: relative `source` and `mean_file` paths are resolved against it (the folder the
    ///     prototxt's relative names are meant from).
    ///   - seed: seeds the mirror and crop draws (one independent stream per phase).
    ///   - prefetchDepth: batches prepared ahead per phase (Caffe: 3); 0 makes batches on the caller's thread.
    ///   - detectBackend: when the database's files are of the other backend than `backend` says, read them
    ///     with the backend they are of.
    ///   - stainJitter: stain augmentation of TRAIN samples (not Caffe's; nil: none).
    /// - Throws: `StoreError` for a missing, interrupted or empty database; `PipelineError` for a bad record,
    ///   a mean file of the wrong shape, or inconsistent transform parameters.
    public init(definitions: [Phase: DataDefinition], baseFolder: String, seed: UInt64 = 1, prefetchDepth: Int = 3,
                detectBackend: Bool = true, stainJitter: StainJitter? = nil) throws {
        var opened: [String: any KeyValueStore] = [:]
        do {
            for phase in [Phase.train, .test] {
                guard let definition = definitions[phase] else { continue }
                let url = Self.resolve(definition.source, in: baseFolder)
                var backend = try StoreBackend(parsing: definition.backend)
                if detectBackend, let found = StoreBackend.detect(at: url) { backend = found }
                // A database changed since it was written (its digest file says) is refused, never trained on.
                if opened[url.path] == nil { try StoreDigest.verify(url, backend: backend) }
                // Both phases may read one database: share the handle (LevelDB allows one per process).
                let store = try opened[url.path] ?? openStore(at: url, backend: backend, access: .readOnly)
                opened[url.path] = store
                try addFeed(phase, reader: _StoreRecordReader(store: store), definition: definition,
                            baseFolder: baseFolder, meanImage: nil, seed: seed, prefetchDepth: prefetchDepth,
                            jitter: phase == .train ? stainJitter : nil)
            }
        } catch {
            stop()
            opened.values.forEach { $0.close() }
            throw error
        }
        stores = Array(opened.values)
    }

    /// Reads the `Data` layers of `net` (one per phase), e.g. the tutorial's `BASE-alexnet_traing_32w_db`.
    public convenience init(net: NetDefinition, baseFolder: String, seed: UInt64 = 1, prefetchDepth: Int = 3,
                            stainJitter: StainJitter? = nil) throws {
        try self.init(definitions: Self.dataDefinitions(of: net), baseFolder: baseFolder, seed: seed, prefetchDepth: prefetchDepth,
                      stainJitter: stainJitter)
    }

    /// Batches read straight from patch archives: per phase, the records of one side of a fold in the order
    /// step 3 would write them to its database (the pipeline's `DatabaseStep.records`), so training sees the same batches
    /// as from the database. Batch size, transform and mean file come from `definitions`; their `source` is
    /// not read (it names the database `mitosis db` would write).
    public init(patches: [Phase: any RecordSource], definitions: [Phase: DataDefinition], baseFolder: String,
                seed: UInt64 = 1, prefetchDepth: Int = 3, stainJitter: StainJitter? = nil) throws {
        do {
            for phase in [Phase.train, .test] {
                guard let records = patches[phase], let definition = definitions[phase] else { continue }
                let name = "patches for \(definition.source.isEmpty ? phase.rawValue : definition.source)"
                guard records.count > 0 else { throw StoreError.empty(path: "<\(name)>") }
                try addFeed(phase, reader: _PatchRecordReader(records, name: name), definition: definition,
                            baseFolder: baseFolder, meanImage: nil, seed: seed, prefetchDepth: prefetchDepth,
                            jitter: phase == .train ? stainJitter : nil)
            }
        } catch {
            stop()
            throw error
        }
    }

    /// Batches from images in memory (RGB, as `Datum(image:label:)` stores them), for tests and small runs.
    ///
    /// - Parameters:
    ///   - samples: per phase, the records in reading order.
    ///   - definitions: per phase, `batchSize` and `transform` (`source` and `backend` are ignored).
    ///   - meanImage: used instead of `transform.meanFile` when given; shape [1, C, H, W], BGR.
    public init(samples: [Phase: [(image: Image, label: Int)]], definitions: [Phase: DataDefinition],
                meanImage: Tensor? = nil, baseFolder: String = ".", seed: UInt64 = 1, prefetchDepth: Int = 3) throws {
        do {
            for phase in [Phase.train, .test] {
                guard let list = samples[phase] else { continue }
                guard !list.isEmpty else { throw StoreError.empty(path: "<memory \(phase.rawValue) samples>") }
                let records = list.enumerated().map { n, sample in
                    StoreRecord(key: Array(StoreKey.caffe(index: n, name: "memory").utf8),
                                value: Datum(image: sample.image, label: sample.label).serializedBytes())
                }
                try addFeed(phase, reader: _MemoryRecordReader(records), definition: definitions[phase] ?? DataDefinition(),
                            baseFolder: baseFolder, meanImage: meanImage, seed: seed, prefetchDepth: prefetchDepth)
            }
        } catch {
            stop()
            throw error
        }
    }

    /// The `data_param` (with its `transform_param`) of `net`'s `Data` layer in each phase.
    public static func dataDefinitions(of net: NetDefinition) throws -> [Phase: DataDefinition] {
        var definitions: [Phase: DataDefinition] = [:]
        for phase in [Phase.train, .test] {
            if let data = net.layers(in: phase).first(where: { $0.type == "Data" })?.data { definitions[phase] = data }
        }
        guard !definitions.isEmpty else {
            throw PipelineError.invalidOption("the net '\(net.name)' has no Data layer with a data_param")
        }
        return definitions
    }

    deinit { close() }

    /// The shape of `phase`'s data batches, (N, C, H, W), or nil if the phase has no data.
    public func dataShape(for phase: Phase) -> [Int]? {
        lock.lock()
        defer { lock.unlock() }
        return feeds[phase]?.assembler.dataShape
    }

    /// The next batch of `phase`: data (N, C, H, W) float, labels (N) float.
    /// - Throws: `PipelineError.invalidOption` for a phase without data; a bad record's error, naming it.
    public func nextBatch(for phase: Phase) throws -> (data: Tensor, label: Tensor) {
        lock.lock()
        let feed = feeds[phase]
        lock.unlock()
        guard let feed else {
            throw PipelineError.invalidOption("no Data layer for phase \(phase.rawValue) (or the source was closed)")
        }
        if let prefetcher = feed.prefetcher { return try prefetcher.take() }
        return try feed.assembler.next()
    }

    /// Stops the prefetch threads and closes the databases. Called on deinit.
    public func close() {
        stop()
        lock.lock()
        feeds = [:]
        let open = stores
        stores = []
        lock.unlock()
        open.forEach { $0.close() }
    }

    private func stop() {
        lock.lock()
        let running = feeds.values.compactMap(\.prefetcher)
        lock.unlock()
        running.forEach { $0.stop() }
    }

    private func addFeed(_ phase: Phase, reader: _RecordReader, definition: DataDefinition, baseFolder: String,
                         meanImage: Tensor?, seed: UInt64, prefetchDepth: Int, jitter: StainJitter? = nil) throws {
        guard definition.batchSize > 0 else {
            throw PipelineError.invalidOption("\(reader.name): batch_size must be positive (is \(definition.batchSize))")
        }
        // Like Caffe, the first record fixes the shape; the reader then starts from the beginning.
        let first = try Self.firstRecordShape(reader)
        var mean = meanImage
        if mean == nil, let file = definition.transform.meanFile, !file.isEmpty {
            mean = try MeanImage.read(contentsOf: Self.resolve(file, in: baseFolder))
        }
        let transformer = try DataTransformer(definition.transform, phase: phase, channels: first.channels,
                                              height: first.height, width: first.width, meanImage: mean)
        let rng = SeededRandom(seed: seed, stream: SeededRandom.stream("DatabaseBatchSource." + phase.rawValue))
        let assembler = _BatchAssembler(reader: first.rewound, transformer: transformer, batchSize: definition.batchSize,
                                        rng: rng, jitter: jitter)
        let prefetcher = prefetchDepth > 0
            ? _BatchPrefetcher(depth: prefetchDepth, name: "mitosis.data.\(phase.rawValue)", produce: assembler.next) : nil
        lock.lock()
        feeds[phase] = _Feed(assembler: assembler, prefetcher: prefetcher)
        lock.unlock()
    }

    /// Reads the first record's shape and returns a reader positioned before it again.
    private static func firstRecordShape(_ reader: _RecordReader) throws
        -> (channels: Int, height: Int, width: Int, rewound: _RecordReader) {
        let record = try reader.next()
        let shape = try record.value.withUnsafeBytes { bytes -> (Int, Int, Int) in
            do {
                let datum = try _DatumRecord(parsing: bytes)
                try datum.validate()
                return (datum.channels, datum.height, datum.width)
            } catch {
                throw PipelineError.badFile(path: reader.name, reason: "record \(record.keyString): \(error)")
            }
        }
        return (shape.0, shape.1, shape.2, _ReplayingReader(first: record, then: reader))
    }

    static func resolve(_ path: String, in folder: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL
    }
}

/// Gives back one record already read, then continues with the underlying reader. Not API.
private final class _ReplayingReader: _RecordReader {
    private var pending: StoreRecord?
    private let rest: _RecordReader
    var name: String { rest.name }
    init(first: StoreRecord, then rest: _RecordReader) { pending = first; self.rest = rest }
    func next() throws -> StoreRecord {
        if let record = pending {
            pending = nil
            return record
        }
        return try rest.next()
    }
}
