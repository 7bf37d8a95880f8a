// Caffe's `DataTransformer` for raw uint8 `Datum` records (src/caffe/data_transformer.cpp):
// out = (pixel - mean) * scale, with an optional crop and horizontal mirror.
//
// Faithful to Caffe: the mean file must have the datum's full size and is cropped together with the data
// (mean[c][h_off + h][w_off + w]); `mean_value` is one value for all channels or one per channel; mean_file and
// mean_value together are an error; TRAIN crops at a random offset in 0...(H - crop), TEST at the centre
// ((H - crop) / 2); the mirror draw comes before the crop draws. Departures: random numbers come from our
// seeded generator, not Caffe's Boost RNG, and `mirror` only acts in TRAIN (Caffe also mirrors test batches
// when a TEST layer sets `mirror: true`; the tutorial's TEST layers do not set it).
import MitosisSupport
import MitosisNN

/// Turns one datum's uint8 C x H x W pixels into the float input of the network, as Caffe's data layer does.
public struct DataTransformer: Sendable {
    /// The random choices for one sample.
    public struct Choice: Sendable, Equatable {
        /// Flip left-right.
        public var mirror: Bool
        /// Top-left corner of the crop inside the datum.
        public var rowOffset: Int
        public var columnOffset: Int
        public init(mirror: Bool = false, rowOffset: Int = 0, columnOffset: Int = 0) {
            self.mirror = mirror; self.rowOffset = rowOffset; self.columnOffset = columnOffset
        }
    }

    public let phase: Phase
    /// Channels, height and width of the input datums.
    public let channels: Int, height: Int, width: Int
    /// Height and width of the output (the crop size, or the datum's).
    public let outputHeight: Int, outputWidth: Int
    private let scale: Float
    private let mirror: Bool
    private let crop: Int
    /// Per-pixel mean over the full datum (C x H x W); zeros without a mean.
    private let mean: [Float]

    /// - Parameters:
    ///   - transform: the layer's `transform_param`; `meanFile` is ignored here, pass its contents as `meanImage`.
    ///   - meanImage: the decoded mean file, shape [1, C, H, W] (or [C, H, W]) equal to the datum's.
    /// - Throws: `PipelineError.invalidOption` for a crop larger than the datum, a mean of another shape, a
    ///   wrong number of mean values, or mean file and mean values together.
    public init(_ transform: TransformDefinition, phase: Phase, channels: Int, height: Int, width: Int,
                meanImage: Tensor? = nil) throws {
        self.phase = phase
        self.channels = channels; self.height = height; self.width = width
        scale = transform.scale
        mirror = transform.mirror && phase == .train
        crop = transform.cropSize
        guard crop <= min(height, width) else {
            throw PipelineError.invalidOption("crop_size \(crop) is larger than the \(height)x\(width) records")
        }
        outputHeight = crop > 0 ? crop : height
        outputWidth = crop > 0 ? crop : width
        let plane = height * width
        if let meanImage {
            guard transform.meanValues.isEmpty else {
                throw PipelineError.invalidOption("transform_param: cannot use mean_file and mean_value together")
            }
            guard Array(meanImage.shape.suffix(3)) == [channels, height, width], meanImage.count == channels * plane else {
                throw PipelineError.invalidOption(
                    "mean image \(meanImage.shape) does not match the \(channels)x\(height)x\(width) records "
                        + "(with crop_size the mean must have the records' full size, as in Caffe)")
            }
            mean = meanImage.data
        } else if !transform.meanValues.isEmpty {
            let values = transform.meanValues
            guard values.count == 1 || values.count == channels else {
                throw PipelineError.invalidOption("\(values.count) mean_value entries for \(channels) channels (give 1 or \(channels))")
            }
            mean = (0..<channels).flatMap { c in [Float](repeating: values.count == 1 ? values[0] : values[c], count: plane) }
        } else {
            mean = [Float](repeating: 0, count: channels * plane)
        }
    }

    /// Values per transformed sample (C x outputHeight x outputWidth).
    public var outputCount: Int { channels * outputHeight * outputWidth }

    /// Draws the mirror flag and crop offset of one sample (Caffe's order: mirror, then row, then column).
    public func draw(using rng: inout SeededRandom) -> Choice {
        var choice = Choice()
        if mirror { choice.mirror = rng.next() >> 63 == 1 }
        if crop > 0 {
            if phase == .train {
                choice.rowOffset = Int(rng.next() % UInt64(height - crop + 1))
                choice.columnOffset = Int(rng.next() % UInt64(width - crop + 1))
            } else {
                choice.rowOffset = (height - crop) / 2
                choice.columnOffset = (width - crop) / 2
            }
        }
        return choice
    }

    /// Writes the transformed sample to `out` (`outputCount` floats).
    /// - Parameter pixels: the datum's `channels * height * width` uint8 values, C x H x W.
    public func apply(_ pixels: UnsafeRawBufferPointer, choice: Choice, into out: UnsafeMutablePointer<Float>) {
        precondition(pixels.count == channels * height * width, "DataTransformer: record size changed")
        let oh = outputHeight, ow = outputWidth, s = scale
        mean.withUnsafeBufferPointer { meanBuffer in
            let m = meanBuffer.baseAddress!
            let p = pixels.bindMemory(to: UInt8.self).baseAddress!
            for c in 0..<channels {
                for h in 0..<oh {
                    let source = (c * height + choice.rowOffset + h) * width + choice.columnOffset
                    let row = out + (c * oh + h) * ow
                    if choice.mirror {
                        for w in 0..<ow { row[ow - 1 - w] = (Float(p[source + w]) - m[source + w]) * s }
                    } else {
                        for w in 0..<ow { row[w] = (Float(p[source + w]) - m[source + w]) * s }
                    }
                }
            }
        }
    }

    /// The transformed sample as an array (for tests and one-off use).
    public func apply(_ pixels: [UInt8], choice: Choice) -> [Float] {
        var out = [Float](repeating: 0, count: outputCount)
        pixels.withUnsafeBytes { raw in out.withUnsafeMutableBufferPointer { apply(raw, choice: choice, into: $0.baseAddress!) } }
        return out
    }
}
