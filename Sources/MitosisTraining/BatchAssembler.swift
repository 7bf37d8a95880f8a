// One phase of a data layer: take `batchSize` records from the reader, decode each `Datum`, transform it into
// its slot of the batch (Caffe's `DataLayer::load_batch`).
import MitosisSupport
import MitosisNN
import MitosisStore

/// Makes the batches of one phase. Owns its reader and random generator; used by one thread. Not API.
final class _BatchAssembler {
    let reader: _RecordReader
    let transformer: DataTransformer
    let batchSize: Int
    /// Stain augmentation of every sample before the transform (training only).
    let jitter: StainJitter?
    private var rng: SeededRandom
    private var scratch: [UInt8]

    init(reader: _RecordReader, transformer: DataTransformer, batchSize: Int, rng: SeededRandom, jitter: StainJitter? = nil) {
        self.reader = reader
        self.transformer = transformer
        self.batchSize = batchSize
        self.rng = rng
        self.jitter = jitter
        scratch = [UInt8](repeating: 0, count: transformer.channels * transformer.height * transformer.width)
    }

    /// Data shape of every batch: (N, C, H, W).
    var dataShape: [Int] { [batchSize, transformer.channels, transformer.outputHeight, transformer.outputWidth] }

    func next() throws -> _Batch {
        let sample = transformer.outputCount
        var data = [Float](repeating: 0, count: batchSize * sample)
        var labels = [Float](repeating: 0, count: batchSize)
        try data.withUnsafeMutableBufferPointer { out in
            for i in 0..<batchSize {
                let record = try reader.next()
                labels[i] = try record.value.withUnsafeBytes { bytes -> Float in
                    let datum = try decode(bytes, key: record)
                    let choice = transformer.draw(using: &rng)
                    if let jitter {
                        let draw = jitter.draw(using: &rng)
                        let t = transformer
                        scratch.withUnsafeMutableBufferPointer { buffer in
                            jitter.apply(datum.data.bindMemory(to: UInt8.self).baseAddress!, channels: t.channels,
                                         plane: t.height * t.width, draw: draw, into: buffer.baseAddress!)
                            transformer.apply(UnsafeRawBufferPointer(buffer), choice: choice, into: out.baseAddress! + i * sample)
                        }
                    } else {
                        transformer.apply(datum.data, choice: choice, into: out.baseAddress! + i * sample)
                    }
                    return Float(datum.label)
                }
            }
        }
        return (Tensor(shape: dataShape, data: data), Tensor(shape: [batchSize], data: labels))
    }

    private func decode(_ bytes: UnsafeRawBufferPointer, key record: StoreRecord) throws -> _DatumRecord {
        do {
            let datum = try _DatumRecord(parsing: bytes)
            try datum.validate()
            let t = transformer
            guard datum.channels == t.channels, datum.height == t.height, datum.width == t.width else {
                throw _DatumRecord.Failure.malformed(
                    "\(datum.channels)x\(datum.height)x\(datum.width), but the first record is \(t.channels)x\(t.height)x\(t.width)")
            }
            return datum
        } catch {
            throw PipelineError.badFile(path: reader.name, reason: "record \(record.keyString): \(error)")
        }
    }
}
