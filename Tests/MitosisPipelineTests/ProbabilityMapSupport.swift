import Foundation
import MitosisImage
import MitosisNN
@testable import MitosisPipeline

/// Tiny tutorial-shaped classifiers with random weights, and random images, for the probability-map tests.
enum ProbabilityMapFixtures {
    static func conv(_ name: String, _ bottom: String, outputs: Int, kernel: Int, pad: Int) -> LayerDefinition {
        var d = LayerDefinition(name: name, type: "Convolution", bottoms: [bottom], tops: [name])
        var p = ConvolutionDefinition()
        p.numOutput = outputs; p.kernelH = kernel; p.kernelW = kernel; p.padH = pad; p.padW = pad
        d.convolution = p
        return d
    }

    static func pool(_ name: String, _ bottom: String, _ method: PoolingDefinition.Method) -> LayerDefinition {
        var d = LayerDefinition(name: name, type: "Pooling", bottoms: [bottom], tops: [name])
        var p = PoolingDefinition()
        p.method = method; p.kernelH = 3; p.kernelW = 3; p.strideH = 2; p.strideW = 2
        d.pooling = p
        return d
    }

    static func ip(_ name: String, _ bottom: String, outputs: Int) -> LayerDefinition {
        var d = LayerDefinition(name: name, type: "InnerProduct", bottoms: [bottom], tops: [name])
        var p = InnerProductDefinition()
        p.numOutput = outputs
        d.innerProduct = p
        return d
    }

    /// The tutorial's deploy net with `c` channels in the convolutions. `padded: false` drops every padding
    /// and takes 43x43 patches, so no pooling window is clipped: its dense rewrite is exact everywhere.
    /// `dropoutHead` adds the author's dropout variant's head: ReLU + Dropout after ip1 and after ip2.
    static func net(channels c: Int = 4, padded: Bool = true, dropoutHead: Bool = false) -> NetDefinition {
        let pad = padded ? 2 : 0
        var net = NetDefinition(name: padded ? "tutorial-tiny" : "tutorial-tiny-valid")
        net.inputs = [("data", [1, 3, padded ? 32 : 43, padded ? 32 : 43])]
        net.layers = [
            conv("conv1", "data", outputs: c, kernel: 5, pad: pad), pool("pool1", "conv1", .max),
            LayerDefinition(name: "relu1", type: "ReLU", bottoms: ["pool1"], tops: ["pool1"]),
            conv("conv2", "pool1", outputs: c, kernel: 5, pad: pad),
            LayerDefinition(name: "relu2", type: "ReLU", bottoms: ["conv2"], tops: ["conv2"]),
            pool("pool2", "conv2", .average),
            conv("conv3", "pool2", outputs: 2 * c, kernel: 5, pad: pad),
            LayerDefinition(name: "relu3", type: "ReLU", bottoms: ["conv3"], tops: ["conv3"]),
            pool("pool3", "conv3", .average),
            ip("ip1", "pool3", outputs: 2 * c), ip("ip2", "ip1", outputs: 2),
            LayerDefinition(name: "prob", type: "Softmax", bottoms: ["ip2"], tops: ["prob"]),
        ]
        if dropoutHead {
            func regularised(_ top: String, _ n: Int) -> [LayerDefinition] {
                var drop = LayerDefinition(name: "drop\(n)", type: "Dropout", bottoms: [top], tops: [top])
                drop.dropoutRatio = 0.5
                return [LayerDefinition(name: "relu\(n)", type: "ReLU", bottoms: [top], tops: [top]), drop]
            }
            net.layers.insert(contentsOf: regularised("ip2", 5), at: 11)
            net.layers.insert(contentsOf: regularised("ip1", 4), at: 10)
        }
        return net
    }

    /// Random weights of a scale that keeps P away from 0 and 1; the mean is per-channel constant unless
    /// `spatialMean` (then it varies per position, as a real mean image does).
    static func model(channels: Int = 4, padded: Bool = true, seed: UInt64 = 1, spatialMean: Bool = false,
                      headScale: Float = 0.02, dropoutHead: Bool = false) throws -> ClassifierModel {
        let d = net(channels: channels, padded: padded, dropoutHead: dropoutHead)
        let size = d.inputs[0].shape[2]
        let probe = try Net(definition: d, phase: .test, inputShapes: ["data": [1, 3, size, size]])
        var g = SeededGenerator(seed: seed)
        var weights: [String: [Tensor]] = [:]
        // In name order: a Dictionary's order changes from run to run, and so would the weights.
        for (name, tensors) in probe.weights().sorted(by: { $0.key < $1.key }) {
            weights[name] = tensors.map { t in
                let fanIn = Float(t.shape.count > 1 ? t.count / t.shape[0] : 1)
                let std = t.shape.count > 1 ? 1.5 / fanIn.squareRoot() : 0.1
                return Tensor(shape: t.shape, data: (0..<t.count).map { _ in g.nextGaussian(std: std) })
            }
        }
        weights["conv1"]![0].data = weights["conv1"]![0].data.map { $0 / 40 }  // inputs are 0...255
        weights["ip2"]![0].data = weights["ip2"]![0].data.map { $0 * headScale }  // keeps P off 0 and 1
        let mean = Tensor(shape: [1, 3, size, size], data: (0..<(3 * size * size)).map { i in
            let base: Float = [150, 110, 170][i / (size * size)]
            return spatialMean ? base + g.nextUniform(-20, 20) : base
        })
        return try ClassifierModel(definition: d, weights: weights, mean: mean)
    }

    static func image(width: Int, height: Int, seed: UInt64 = 7) -> Image {
        var g = SeededGenerator(seed: seed)
        return Image(width: width, height: height, channels: 3, pixels: (0..<(width * height * 3)).map { _ in UInt8(g.next() % 256) })
    }

    /// P(mitosis) of the patch of pixel (x, y) by a direct forward of the net on the CPU reference backend.
    static func direct(_ model: ClassifierModel, _ image: Image, x: Int, y: Int, mirrored: Bool = false) throws -> Float {
        let s = model.patchSize, n = s * s
        var data = [Float](repeating: 0, count: 3 * n)
        for py in 0..<s {
            for px in 0..<s {
                let sx = x - s / 2 + (mirrored ? s - 1 - px : px), sy = y - s / 2 + py
                let ix = symmetricIndex(sx, image.width), iy = symmetricIndex(sy, image.height)
                for c in 0..<3 {
                    data[c * n + py * s + px] = Float(image[ix, iy, 2 - c]) - model.mean.data[c * n + py * s + px]
                }
            }
        }
        let net = try Net(definition: model.definition, phase: .test, inputShapes: ["data": [1, 3, s, s]])
        try net.loadWeights(model.weights)
        try net.forward(inputs: ["data": Tensor(shape: [1, 3, s, s], data: data)])
        return net.blob("prob")!.data[1]
    }

    static func maxDifference(_ a: FloatPlane, _ b: FloatPlane) -> Float {
        zip(a.values, b.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
