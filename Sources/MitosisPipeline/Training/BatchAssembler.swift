// One phase of a data layer: take `batchSize` records from the reader, decode each `Datum`, transform it into
// its slot of the batch (Caffe's `DataLayer::load_batch`).
import MitosisNN
import MitosisStore

/// Makes the batches of one phase. Owns its reader and random generator; used by one thread. Not API.
final class _BatchAssembler {
    let reader: _RecordReader
    let transformer: DataTransformer
    let batchSize: Int
    private var rng: SeededRandom

    init(reader: _RecordReader, transformer: DataTransformer, batchSize: Int, rng: SeededRandom) {
        self.reader = reader
        self.transformer = transformer
        self.batchSize = batchSize
        self.rng = rng
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
                    transformer.apply(datum.data, choice: transformer.draw(using: &rng), into: out.baseAddress! + i * sample)
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
