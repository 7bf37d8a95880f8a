/// How a probability map is computed.
public struct ProbabilityMapOptions: Sendable {
    /// How P(mitosis) is evaluated at each pixel.
    public enum Mode: String, Sendable, CaseIterable {
        /// The patch classifier on the patch around every (masked) pixel: what the tutorial's script does.
        case exact
        /// The dilated ("a trous") rewrite over whole tiles: ~100x less work, not bit-exact at patch borders.
        case dense
    }

    public var mode: Mode = .dense
    /// Average each patch with its horizontal mirror (Caffe `Classifier` oversampling).
    public var mirrorAverage = false
    /// Patches per oneDNN call in exact mode.
    public var batch = 1024
    /// Largest dense tile side (outputs); images are split into equal tiles no larger than this.
    public var maxTile = 512
    /// Dense mode: how much of the linear head is folded.
    public var headFolding: HeadFolding = .innerProducts
    /// Dense mode: the net is evaluated at every `stride`-th pixel in each direction (1, 2, 4 or 8 for the
    /// tutorial's net: a product of its leading poolings' strides) and the log-odds are interpolated
    /// bilinearly in between; about `stride^2` times less work after the first pooling.
    public var stride = 1

    public init(mode: Mode = .dense, mirrorAverage: Bool = false, batch: Int = 1024, maxTile: Int = 512,
                headFolding: HeadFolding = .innerProducts, stride: Int = 1) {
        self.mode = mode; self.mirrorAverage = mirrorAverage; self.batch = batch
        self.maxTile = maxTile; self.headFolding = headFolding; self.stride = stride
    }
}
