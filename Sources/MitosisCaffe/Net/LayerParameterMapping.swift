import MitosisNN

/// Maps Caffe's per-type parameter messages to the engine's definitions, applying Caffe's defaults and its
/// rules for `kernel_size` vs `kernel_h`/`kernel_w` (and the same for `pad`, `stride`, `dilation`).
enum LayerParameterMapping {
    static func convolution(_ p: Caffe_ConvolutionParameter, layer: String, path: String) throws -> ConvolutionDefinition {
        var c = ConvolutionDefinition()
        c.numOutput = Int(p.numOutput)
        c.biasTerm = p.biasTerm
        c.group = Int(p.group)
        (c.kernelH, c.kernelW) = try pair(
            p.kernelSize, h: p.hasKernelH ? p.kernelH : nil, w: p.hasKernelW ? p.kernelW : nil,
            default: nil, what: "kernel_size", layer: layer, path: path)
        (c.strideH, c.strideW) = try pair(
            p.stride, h: p.hasStrideH ? p.strideH : nil, w: p.hasStrideW ? p.strideW : nil,
            default: 1, what: "stride", layer: layer, path: path)
        (c.padH, c.padW) = try pair(
            p.pad, h: p.hasPadH ? p.padH : nil, w: p.hasPadW ? p.padW : nil,
            default: 0, what: "pad", layer: layer, path: path)
        (c.dilationH, c.dilationW) = try pair(
            p.dilation, h: nil, w: nil, default: 1, what: "dilation", layer: layer, path: path)
        if p.hasWeightFiller { c.weightFiller = filler(p.weightFiller) }
        if p.hasBiasFiller { c.biasFiller = filler(p.biasFiller) }
        if p.axis != 1 { throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "convolution axis \(p.axis)") }
        return c
    }

    static func pooling(_ p: Caffe_PoolingParameter, layer: String, path: String) throws -> PoolingDefinition {
        var d = PoolingDefinition()
        switch p.pool {
        case .max: d.method = .max
        case .ave: d.method = .average
        case .stochastic: throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "stochastic pooling")
        }
        if p.roundMode == .floor {
            throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "round_mode: FLOOR")
        }
        d.global = p.globalPooling
        let kernel = p.hasKernelSize ? [p.kernelSize] : []
        if !d.global {
            (d.kernelH, d.kernelW) = try pair(
                kernel, h: p.hasKernelH ? p.kernelH : nil, w: p.hasKernelW ? p.kernelW : nil,
                default: nil, what: "kernel_size", layer: layer, path: path)
        }
        (d.strideH, d.strideW) = try pair(
            p.hasStride ? [p.stride] : [], h: p.hasStrideH ? p.strideH : nil, w: p.hasStrideW ? p.strideW : nil,
            default: 1, what: "stride", layer: layer, path: path)
        (d.padH, d.padW) = try pair(
            p.hasPad ? [p.pad] : [], h: p.hasPadH ? p.padH : nil, w: p.hasPadW ? p.padW : nil,
            default: 0, what: "pad", layer: layer, path: path)
        return d
    }

    static func innerProduct(_ p: Caffe_InnerProductParameter, layer: String, path: String) throws -> InnerProductDefinition {
        guard p.axis == 1, !p.transpose else {
            throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "inner product axis/transpose")
        }
        var d = InnerProductDefinition()
        d.numOutput = Int(p.numOutput)
        d.biasTerm = p.biasTerm
        if p.hasWeightFiller { d.weightFiller = filler(p.weightFiller) }
        if p.hasBiasFiller { d.biasFiller = filler(p.biasFiller) }
        return d
    }

    static func data(_ p: Caffe_DataParameter, transform t: Caffe_TransformationParameter) -> DataDefinition {
        var d = DataDefinition()
        d.source = p.source
        d.backend = p.backend == .lmdb ? "LMDB" : "LEVELDB"
        d.batchSize = Int(p.batchSize)
        d.transform.scale = t.scale
        d.transform.mirror = t.mirror
        d.transform.cropSize = Int(t.cropSize)
        d.transform.meanFile = t.hasMeanFile ? t.meanFile : nil
        d.transform.meanValues = t.meanValue
        return d
    }

    static func filler(_ p: Caffe_FillerParameter) -> FillerDefinition {
        var f = FillerDefinition(type: p.type)
        f.value = p.value
        f.min = p.min
        f.max = p.max
        f.mean = p.mean
        f.std = p.std
        switch p.varianceNorm {
        case .fanIn: f.varianceNorm = "FAN_IN"
        case .fanOut: f.varianceNorm = "FAN_OUT"
        case .average: f.varianceNorm = "AVERAGE"
        }
        return f
    }

    /// Caffe's 2-D rule: `*_h`/`*_w` if given, else one value for both, else two values (H, W), else default.
    private static func pair(
        _ values: [UInt32], h: UInt32?, w: UInt32?, default fallback: Int?, what: String, layer: String, path: String
    ) throws -> (Int, Int) {
        if let h, let w {
            guard values.isEmpty else {
                throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "both \(what) and \(what)_h/_w")
            }
            return (Int(h), Int(w))
        }
        switch values.count {
        case 1: return (Int(values[0]), Int(values[0]))
        case 2: return (Int(values[0]), Int(values[1]))
        case 0:
            guard let fallback else {
                throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "no \(what) (it is required)")
            }
            return (fallback, fallback)
        default:
            throw CaffeFormatError.unsupported(path: path, layer: layer, feature: "\(values.count)-D \(what) (only 2-D)")
        }
    }
}
