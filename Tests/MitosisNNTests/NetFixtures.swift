@testable import MitosisNN

/// Builders for the networks used by the Net and Solver tests.
enum NetFixtures {
    static func conv(_ name: String, _ bottom: String, outputs: Int, kernel: Int, pad: Int) -> LayerDefinition {
        var d = LayerDefinition(name: name, type: "Convolution", bottoms: [bottom], tops: [name])
        var p = ConvolutionDefinition()
        p.numOutput = outputs
        p.kernelH = kernel; p.kernelW = kernel; p.padH = pad; p.padW = pad
        p.weightFiller = FillerDefinition(type: "gaussian"); p.weightFiller.std = 0.1
        d.convolution = p
        d.params = [ParamSpec(lrMult: 1), ParamSpec(lrMult: 2)]
        return d
    }

    static func pool(_ name: String, _ bottom: String, _ method: PoolingDefinition.Method, kernel: Int, stride: Int) -> LayerDefinition {
        var d = LayerDefinition(name: name, type: "Pooling", bottoms: [bottom], tops: [name])
        var p = PoolingDefinition()
        p.method = method
        p.kernelH = kernel; p.kernelW = kernel; p.strideH = stride; p.strideW = stride
        d.pooling = p
        return d
    }

    static func relu(_ name: String, _ blob: String) -> LayerDefinition {
        LayerDefinition(name: name, type: "ReLU", bottoms: [blob], tops: [blob])
    }

    static func ip(_ name: String, _ bottom: String, outputs: Int) -> LayerDefinition {
        var d = LayerDefinition(name: name, type: "InnerProduct", bottoms: [bottom], tops: [name])
        var p = InnerProductDefinition()
        p.numOutput = outputs
        p.weightFiller = FillerDefinition(type: "gaussian"); p.weightFiller.std = 0.1
        d.innerProduct = p
        d.params = [ParamSpec(lrMult: 1), ParamSpec(lrMult: 2)]
        return d
    }

    static func data(batch: Int, crop: Int) -> LayerDefinition {
        var d = LayerDefinition(name: "data", type: "Data", tops: ["data", "label"])
        var data = DataDefinition()
        data.batchSize = batch
        data.transform.cropSize = crop
        d.data = data
        return d
    }

    static func loss(_ bottom: String) -> LayerDefinition {
        LayerDefinition(name: "loss", type: "SoftmaxWithLoss", bottoms: [bottom, "label"], tops: ["loss"])
    }

    static func accuracy(_ bottom: String) -> LayerDefinition {
        var d = LayerDefinition(name: "accuracy", type: "Accuracy", bottoms: [bottom, "label"], tops: ["accuracy"])
        d.phases = [.test]
        return d
    }

    /// The tutorial's BASE-alexnet_traing_32w_db network (train/test), input 3x32x32. `width` scales the
    /// channel counts (1 = the tutorial's 32, 32, 64, 64) for cheaper debug-build tests.
    static func tutorial(batch: Int = 2, width: Double = 1) -> NetDefinition {
        func n(_ channels: Int) -> Int { max(1, Int(Double(channels) * width)) }
        var net = NetDefinition(name: "tutorial")
        net.layers = [
            data(batch: batch, crop: 32),
            conv("conv1", "data", outputs: n(32), kernel: 5, pad: 2),
            pool("pool1", "conv1", .max, kernel: 3, stride: 2),
            relu("relu1", "pool1"),
            conv("conv2", "pool1", outputs: n(32), kernel: 5, pad: 2),
            relu("relu2", "conv2"),
            pool("pool2", "conv2", .average, kernel: 3, stride: 2),
            conv("conv3", "pool2", outputs: n(64), kernel: 5, pad: 2),
            relu("relu3", "conv3"),
            pool("pool3", "conv3", .average, kernel: 3, stride: 2),
            ip("ip1", "pool3", outputs: n(64)),
            ip("ip2", "ip1", outputs: 2),
            accuracy("ip2"),
            loss("ip2"),
        ]
        return net
    }

    /// A small net for training tests: 1x8x8 input, conv 4 3x3 -> ReLU -> max pool 2/2 -> [dropout] -> ip 2.
    static func toy(batch: Int, dropout: Bool = false) -> NetDefinition {
        var net = NetDefinition(name: "toy")
        var input = LayerDefinition(name: "input", type: "Input", tops: ["data", "label"])
        input.inputShapes = [[batch, 1, 8, 8], [batch]]
        net.layers = [input, conv("conv1", "data", outputs: 4, kernel: 3, pad: 1), relu("relu1", "conv1"),
                      pool("pool1", "conv1", .max, kernel: 2, stride: 2)]
        if dropout {
            var d = LayerDefinition(name: "drop1", type: "Dropout", bottoms: ["pool1"], tops: ["pool1"])
            d.dropoutRatio = 0.3
            net.layers.append(d)
        }
        net.layers += [ip("ip1", "pool1", outputs: 2), accuracy("ip1"), loss("ip1")]
        return net
    }

    /// A deterministic toy batch: class 1 has a bright 3x3 blob in the left half, class 0 in the right half.
    static func toyBatch(batch: Int, seed: UInt64) -> (data: Tensor, label: Tensor) {
        var g = SeededGenerator(seed: seed)
        var data = Tensor(shape: [batch, 1, 8, 8]), labels = Tensor(shape: [batch])
        for n in 0..<batch {
            let label = Int(g.next() % 2)
            labels.data[n] = Float(label)
            for i in 0..<64 { data.data[n * 64 + i] = g.nextUniform(-0.3, 0.3) }
            let y = Int(g.next() % 6), x = (label == 1 ? 0 : 4) + Int(g.next() % 2)
            for dy in 0..<3 { for dx in 0..<3 { data.data[n * 64 + (y + dy) * 8 + x + dx] += 1 } }
        }
        return (data, labels)
    }
}
