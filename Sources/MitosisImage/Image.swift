/// An 8-bit raster image, row-major with interleaved channels (H x W x C).
///
/// `channels` is 1 (gray), 3 (RGB) or 4 (RGBA). Pixel (x, y) channel c lives at
/// `pixels[(y * width + x) * channels + c]`; x is the column, y the row, both 0-based.
public struct Image: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// Samples per pixel: 1, 3 or 4.
    public var channels: Int
    /// `width * height * channels` samples, row-major, channels interleaved.
    public var pixels: [UInt8]

    /// Wraps existing samples; `pixels.count` must equal `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (1...4).contains(channels), "bad image geometry")
        precondition(pixels.count == width * height * channels, "pixel count does not match geometry")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image of one constant value in every sample.
    public init(width: Int, height: Int, channels: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: fill, count: width * height * channels))
    }

    /// Sample at column `x`, row `y`, channel `c`.
    @inlinable
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}

/// A single-channel float raster (blue ratio, probability maps), row-major.
public struct FloatPlane: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width * height` values, row-major.
    public var values: [Float]

    /// Wraps existing values; `values.count` must equal `width * height`.
    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "value count does not match geometry")
        self.width = width
        self.height = height
        self.values = values
    }

    /// A plane of one constant value.
    public init(width: Int, height: Int, fill: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: fill, count: width * height))
    }

    /// Value at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }
}

/// A binary raster (masks), row-major; `true` is foreground.
public struct Mask: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width * height` flags, row-major.
    public var bits: [Bool]

    /// Wraps existing flags; `bits.count` must equal `width * height`.
    public init(width: Int, height: Int, bits: [Bool]) {
        precondition(bits.count == width * height, "bit count does not match geometry")
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// A mask with every pixel set to `fill`.
    public init(width: Int, height: Int, fill: Bool = false) {
        self.init(width: width, height: height, bits: [Bool](repeating: fill, count: width * height))
    }

    /// Flag at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> Bool {
        get { bits[y * width + x] }
        set { bits[y * width + x] = newValue }
    }

    /// Number of foreground pixels.
    public var count: Int { bits.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
