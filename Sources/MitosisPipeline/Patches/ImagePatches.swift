import Foundation
import MitosisCaffe
import MitosisData
import MitosisImage
import MitosisNN
import MitosisStore
import MitosisSupport
import MitosisTraining

/// The patches of one image as a database or a training run reads them: label, tutorial file name and pixels
/// of every record, in archive order.
///
/// An archive with pixels gives them as stored. A sample-only archive (`PatchArchive.write(pixels: false)`,
/// what `mitosis run` writes for step 6's millions of patches) gives each patch by cutting it from the
/// image's padded working image when asked, with the same code that cut it in step 1 or 6
/// (`PatchExtractor.patch(at:_:angle:padded:)`), so both kinds give the same pixels.
public struct ImagePatches: Sendable {
    public let entry: PatchIndex.Entry
    public let patches: [Patch]
    public let patchSize: Int
    /// The padded working image (sample-only archives) and the cutting tables by angle.
    private let padded: Image?
    private let samplers: [Int16: RotationSampler]
    private let shift: Int

    /// Reads `entry`'s archive in `folder`. A sample-only archive needs `image`, the entry's source image, and
    /// `options`, the geometry it was cut with (the index's).
    public init(entry: PatchIndex.Entry, folder: String, options: PatchOptions, image: DatasetImage?) throws {
        let path = folder + "/" + entry.archive
        let (size, patches, hasPixels) = try PatchArchive.readRecords(path)
        self.entry = entry
        self.patches = patches
        patchSize = size
        shift = options.padding - options.windowSize / 2
        guard !hasPixels, !patches.isEmpty else {
            padded = nil
            samplers = [:]
            return
        }
        guard let image else {
            throw PipelineError.missingInput(path: path, hint: "this archive holds no pixels: its patches are cut from the image \(entry.name), which the dataset (index.json's `dataset`) must still hold")
        }
        guard size == options.patchSize else {
            throw PipelineError.badFile(path: path, reason: "holds \(size)x\(size) patches; the index says \(options.patchSize). HINT: delete the folder and re-run.")
        }
        let extractor = PatchExtractor(options: options)
        let working = try extractor.workingImage(for: image)
        let pad = working.paddedSymmetric(by: options.padding)
        var samplers: [Int16: RotationSampler] = [:]
        for angle in Set(patches.map(\.angle)) { samplers[angle] = extractor.sampler(angle: Int(angle), padded: pad) }
        for p in patches where !extractor.fitsWindow(x: Int(p.x), y: Int(p.y), imageWidth: working.width, imageHeight: working.height) {
            throw PipelineError.badFile(path: path, reason: "patch \(p.fileName(image: entry.name)) at (\(p.x), \(p.y)) lies outside the \(working.width)x\(working.height) working image of \(image.imagePath). HINT: the archive was cut from another image or scale; delete the folder and re-run.")
        }
        padded = pad
        self.samplers = samplers
    }

    public var count: Int { patches.count }

    /// Whether pixels are cut on demand (a sample-only archive).
    public var cutsOnDemand: Bool { padded != nil }

    /// RGB pixels of record `i` (`patchSize * patchSize * 3`, row-major).
    public func pixels(_ i: Int) -> [UInt8] {
        let p = patches[i]
        guard let padded else { return p.pixels }
        return samplers[p.angle]!.sample(padded, left: Int(p.x) + shift, top: Int(p.y) + shift)
    }

    /// Record `i` as a serialized Caffe `Datum` (BGR, channel-major; `Datum.serializedRecord`).
    public func serializedRecord(_ i: Int) -> [UInt8] {
        pixels(i).withUnsafeBufferPointer { Datum.serializedRecord(rgb: $0, width: patchSize, height: patchSize, label: Int(patches[i].label)) }
    }

    /// The tutorial's file name of record `i`.
    public func fileName(_ i: Int) -> String { patches[i].fileName(image: entry.name) }

    /// Per Datum sample (BGR, channel-major) the sum over this image's records, for mean images.
    public func sums() -> [UInt64] {
        let plane = patchSize * patchSize
        var sums = [UInt64](repeating: 0, count: 3 * plane)
        sums.withUnsafeMutableBufferPointer { s in
            for i in 0..<count {
                let rgb = pixels(i)
                for c in 0..<3 {
                    let source = 2 - c  // Datum channel c is RGB channel 2 - c
                    for j in 0..<plane { s[c * plane + j] += UInt64(rgb[j * 3 + source]) }
                }
            }
        }
        return sums
    }

    /// The patches of every entry of `index` whose patient is in `patients`, read in parallel. `dataset`
    /// gives the source images of sample-only archives (nil: `index.dataset` is discovered when needed).
    public static func load(_ index: PatchIndex, folder: String, patients: Set<String>? = nil,
                            dataset: Dataset? = nil) throws -> [ImagePatches] {
        let entries = index.entries.filter { patients?.contains($0.patient) ?? true }
        var images: [String: DatasetImage] = [:]
        if let found = try dataset ?? index.dataset.map({ try Dataset.discover(at: $0) }) {
            for item in found.images { images[item.name] = item }
        }
        let results = ParallelMap.map(entries) { entry in
            Result { try ImagePatches(entry: entry, folder: folder, options: index.options, image: images[entry.name]) }
        }
        return try results.map { try $0.get() }
    }
}

/// One side of a fold (training or test) as Caffe reads its database: every record of its images in the
/// seeded shuffle `convert_imageset -shuffle` makes, under the keys `%08d_<patch file name>`. Step 3 writes
/// the databases in this order and `mitosis run` trains from it directly, so both see the same records in
/// the same order.
public struct ShuffledPatches: RecordSource {
    public let images: [ImagePatches]
    /// Reading order: (image, record within the image).
    public let order: [(image: Int32, record: Int32)]

    /// `stream` names the shuffle: `DatabaseStep.shuffleStream(fold:train:)`.
    public init(_ images: [ImagePatches], seed: UInt64, stream: String) {
        self.images = images
        var order: [(image: Int32, record: Int32)] = []
        order.reserveCapacity(images.reduce(0) { $0 + $1.count })
        for (i, a) in images.enumerated() { order += (0..<a.count).map { (Int32(i), Int32($0)) } }
        var rng = SeededRandom(seed: seed, stream: SeededRandom.stream(stream))
        rng.shuffle(&order)
        self.order = order
    }

    public var count: Int { order.count }

    /// The database key of the `n`-th record: `%08d_<name>`.
    public func key(_ n: Int) -> String {
        let (i, r) = order[n]
        return StoreKey.caffe(index: n, name: images[Int(i)].fileName(Int(r)))
    }

    /// The `n`-th record, a serialized Datum.
    public func value(_ n: Int) -> [UInt8] {
        let (i, r) = order[n]
        return images[Int(i)].serializedRecord(Int(r))
    }

    /// The mean image of the records (`compute_image_mean`): 1x3xSxS BGR floats, summed exactly in integers.
    public func mean() -> Tensor {
        let s = images.first?.patchSize ?? 32
        var total = [UInt64](repeating: 0, count: 3 * s * s)
        for sums in ParallelMap.map(images, { $0.sums() }) { for j in total.indices { total[j] += sums[j] } }
        let n = Double(max(count, 1))
        return Tensor(shape: [1, 3, s, s], data: total.map { Float(Double($0) / n) })
    }

    /// Writes `mean()` as the `.binaryproto` at `path` (atomically), as `compute_image_mean` does.
    public func writeMean(to path: String) throws {
        try MeanImage.write(mean(), to: URL(fileURLWithPath: path))
    }
}
