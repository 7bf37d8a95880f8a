/// Problem sizes handed to compute kernels. All buffers are plain dense NCHW float32; weights are Caffe's
/// (out, in/group, kh, kw) and inner-product weights (out, in).

/// One convolution problem (batch included), with Caffe's output size
/// `(H + 2*pad - (dilation*(k-1)+1)) / stride + 1`.
public struct ConvolutionGeometry: Hashable, Sendable {
    public var batch: Int, inChannels: Int, inHeight: Int, inWidth: Int
    public var outChannels: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int
    public var dilationH: Int, dilationW: Int
    public var group: Int
    public var hasBias: Bool

    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int, outChannels: Int,
                kernelH: Int, kernelW: Int, strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0,
                dilationH: Int = 1, dilationW: Int = 1, group: Int = 1, hasBias: Bool = true) {
        self.batch = batch; self.inChannels = inChannels; self.inHeight = inHeight; self.inWidth = inWidth
        self.outChannels = outChannels; self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
        self.dilationH = dilationH; self.dilationW = dilationW; self.group = group; self.hasBias = hasBias
    }

    /// Caffe's convolution output size (floor division).
    public var outHeight: Int { (inHeight + 2 * padH - (dilationH * (kernelH - 1) + 1)) / strideH + 1 }
    public var outWidth: Int { (inWidth + 2 * padW - (dilationW * (kernelW - 1) + 1)) / strideW + 1 }
    /// (out, in/group, kh, kw).
    public var weightShape: [Int] { [outChannels, inChannels / group, kernelH, kernelW] }
    public var inputShape: [Int] { [batch, inChannels, inHeight, inWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
}

/// One pooling problem with Caffe's ceil-mode output size (see `PoolingGeometry.outHeight`).
public struct PoolingGeometry: Hashable, Sendable {
    public var method: PoolingDefinition.Method
    public var batch: Int, channels: Int, inHeight: Int, inWidth: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int
    /// Not in Caffe: window taps `dilation` apart (the dense "a trous" rewrite). 1 = Caffe.
    public var dilationH: Int, dilationW: Int

    public init(method: PoolingDefinition.Method, batch: Int, channels: Int, inHeight: Int, inWidth: Int,
                kernelH: Int, kernelW: Int, strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0,
                dilationH: Int = 1, dilationW: Int = 1) {
        self.method = method; self.batch = batch; self.channels = channels
        self.inHeight = inHeight; self.inWidth = inWidth; self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
        self.dilationH = dilationH; self.dilationW = dilationW
    }

    /// Caffe: `ceil((H + 2*pad - k) / s) + 1`, minus one if the last window would start in the padding
    /// (`(out-1)*s >= H + pad`). With dilation, `k` is the dilated extent `d*(k-1)+1`.
    public var outHeight: Int { Self.outSize(inHeight, kernelH, strideH, padH, dilationH) }
    public var outWidth: Int { Self.outSize(inWidth, kernelW, strideW, padW, dilationW) }
    public var inputShape: [Int] { [batch, channels, inHeight, inWidth] }
    public var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

    static func outSize(_ size: Int, _ kernel: Int, _ stride: Int, _ pad: Int, _ dilation: Int) -> Int {
        let extent = dilation * (kernel - 1) + 1
        let span = size + 2 * pad - extent
        var out = (span + stride - 1) / stride + 1  // span >= 0 is checked by the layer
        if pad > 0 && (out - 1) * stride >= size + pad { out -= 1 }
        return out
    }
}

/// One inner product: output (batch, outputs) = input (batch, inputs) x weight(outputs, inputs)^T + bias.
public struct InnerProductGeometry: Hashable, Sendable {
    public var batch: Int, inputs: Int, outputs: Int
    public var hasBias: Bool
    public init(batch: Int, inputs: Int, outputs: Int, hasBias: Bool = true) {
        self.batch = batch; self.inputs = inputs; self.outputs = outputs; self.hasBias = hasBias
    }
}
