import Foundation
import MitosisCaffe
import MitosisNN
import Testing

@Suite("Reference prototxts (tutorial's V1 files, unmodified)", .enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage))
struct ReferencePrototxtTests {
    @Test func trainingNetParsesWithFoldSubstitution() throws {
        let net = try NetImporter.read(
            contentsOf: ReferenceFiles.url("BASE-alexnet_traing_32w_db.prototxt"), substitutions: ["kfoldi": "1"])
        #expect(net.name == "CIFAR10_quick")
        #expect(net.inputNames.isEmpty)
        #expect(net.layers(in: .train).map(\.name) == [
            "cifar_train", "conv1", "pool1", "relu1", "conv2", "relu2", "pool2", "conv3", "relu3", "pool3", "ip1", "ip2",
            "loss",
        ])
        #expect(net.layers(in: .test).map(\.name) == [
            "cifar_test", "conv1", "pool1", "relu1", "conv2", "relu2", "pool2", "conv3", "relu3", "pool3", "ip1", "ip2",
            "accuracy", "loss",
        ])
        #expect(net.layers.map(\.type) == [
            "Data", "Data", "Convolution", "Pooling", "ReLU", "Convolution", "ReLU", "Pooling", "Convolution", "ReLU",
            "Pooling", "InnerProduct", "InnerProduct", "Accuracy", "SoftmaxWithLoss",
        ])

        let train = try #require(net.layers[0].data)
        #expect(net.layers[0].phases == [.train])
        #expect(net.layers[0].tops == ["data", "label"])
        #expect(train.source == "../DB_train_1")
        #expect(train.backend == "LEVELDB")
        #expect(train.batchSize == 128)
        #expect(train.transform.meanFile == "../DB_train_w32_1.binaryproto")
        #expect(train.transform.cropSize == 32)
        #expect(train.transform.mirror)
        let test = try #require(net.layers[1].data)
        #expect(net.layers[1].phases == [.test])
        #expect(test.source == "../DB_test_1")
        #expect(!test.transform.mirror)

        let conv1 = try #require(net.layers[2].convolution)
        #expect(conv1.numOutput == 32)
        #expect((conv1.kernelH, conv1.kernelW, conv1.padH, conv1.padW, conv1.strideH) == (5, 5, 2, 2, 1))
        #expect(conv1.weightFiller.type == "gaussian")
        #expect(conv1.weightFiller.std == 0.0001)
        #expect(conv1.biasFiller.type == "constant")
        #expect(net.layers[2].params == [ParamSpec(lrMult: 1, decayMult: 1), ParamSpec(lrMult: 2, decayMult: 1)])

        let pool1 = try #require(net.layers[3].pooling)
        #expect(pool1.method == .max)
        #expect((pool1.kernelH, pool1.strideH, pool1.padH) == (3, 2, 0))
        #expect(net.layers[7].pooling?.method == .average)
        #expect(net.layers[4].bottoms == ["pool1"] && net.layers[4].tops == ["pool1"])
        #expect(net.layers[11].innerProduct?.numOutput == 64)
        #expect(net.layers[12].innerProduct?.numOutput == 2)
        #expect(net.layers[14].bottoms == ["ip2", "label"])
    }

    @Test func dropoutNetParses() throws {
        let net = try NetImporter.read(
            contentsOf: ReferenceFiles.url("BASE-alexnet_traing_32w_dropout_db.prototxt"), substitutions: ["kfoldi": "3"])
        let names = net.layers(in: .train).map(\.name)
        #expect(names == [
            "cifar_train", "conv1", "pool1", "relu1", "conv2", "relu2", "pool2", "conv3", "relu3", "pool3", "ip1",
            "relu4", "drop4", "ip2", "relu5", "drop5", "loss",
        ])
        let drop4 = try #require(net.layers.first { $0.name == "drop4" })
        #expect(drop4.type == "Dropout")
        #expect(drop4.dropoutRatio == 0.5)
        #expect(net.layers[0].data?.source == "../DB_train_3")
    }

    @Test(arguments: ["deploy_train32.prototxt", "deploy_train32_dropout.prototxt"])
    func deployNetParses(file: String) throws {
        let net = try NetImporter.read(contentsOf: ReferenceFiles.url(file))
        #expect(net.inputNames == ["data"])
        #expect(net.inputShapes == [[10, 3, 32, 32]])
        #expect(net.layers.first?.name == "conv1")
        #expect(net.layers.last?.name == "prob")
        #expect(net.layers.last?.type == "Softmax")
        #expect(net.layers.allSatisfy { $0.phases.isEmpty && $0.data == nil })
    }

    @Test func missingPlaceholderNamesFileAndPlaceholder() throws {
        let url = ReferenceFiles.url("BASE-alexnet_traing_32w_db.prototxt")
        #expect(throws: CaffeFormatError.missingSubstitution(path: url.path, name: "kfoldi")) {
            try NetImporter.read(contentsOf: url)
        }
        let message = CaffeFormatError.missingSubstitution(path: url.path, name: "kfoldi").description
        #expect(message.contains("BASE-alexnet_traing_32w_db.prototxt"))
        #expect(message.contains("--set kfoldi="))
    }
}

@Suite("Prototxt parsing")
struct PrototxtParsingTests {
    static let currentSyntax = """
        name: "tiny"
        layer {
          name: "input" type: "Input" top: "data"
          input_param { shape { dim: 2 dim: 3 dim: 8 dim: 8 } }
        }
        layer {
          name: "conv" type: "Convolution" bottom: "data" top: "conv"
          param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
          convolution_param { num_output: 4 kernel_h: 3 kernel_w: 1 stride: 2 pad: 1 pad: 0 weight_filler { type: "xavier" } }
        }
        layer {
          name: "pool" type: "Pooling" bottom: "conv" top: "pool"
          pooling_param { pool: AVE kernel_size: 2 stride: 2 }
        }
        layer { name: "relu" type: "ReLU" bottom: "pool" top: "pool" relu_param { negative_slope: 0.1 } }
        layer {
          name: "fc" type: "InnerProduct" bottom: "pool" top: "fc"
          inner_product_param { num_output: 2 bias_term: false }
        }
        layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" exclude { phase: TRAIN } }
        """

    @Test func currentSyntaxMapsEveryField() throws {
        let net = try NetImporter.parse(Self.currentSyntax)
        #expect(net.layers.map(\.type) == ["Input", "Convolution", "Pooling", "ReLU", "InnerProduct", "Softmax"])
        #expect(net.layers[0].inputShapes == [[2, 3, 8, 8]])
        let conv = try #require(net.layers[1].convolution)
        #expect((conv.kernelH, conv.kernelW, conv.strideH, conv.strideW, conv.padH, conv.padW) == (3, 1, 2, 2, 1, 0))
        #expect(conv.weightFiller.type == "xavier")
        #expect(net.layers[1].params == [ParamSpec(lrMult: 1, decayMult: 1), ParamSpec(lrMult: 2, decayMult: 0)])
        #expect(net.layers[2].pooling?.method == .average)
        #expect(net.layers[3].negativeSlope == 0.1)
        #expect(net.layers[4].innerProduct?.biasTerm == false)
        #expect(net.layers[5].phases == [.test])
    }

    @Test func v1AndCurrentSyntaxGiveTheSameDefinition() throws {
        let v1 = """
            name: "n" input: "data" input_dim: 1 input_dim: 3 input_dim: 32 input_dim: 32
            layers { name: "c" type: CONVOLUTION bottom: "data" top: "c" blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0
                     convolution_param { num_output: 8 kernel_size: 5 pad: 2 } }
            layers { name: "s" type: SOFTMAX bottom: "c" top: "s" include { phase: TEST } }
            """
        let current = """
            name: "n" input: "data" input_shape { dim: 1 dim: 3 dim: 32 dim: 32 }
            layer { name: "c" type: "Convolution" bottom: "data" top: "c"
                    param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
                    convolution_param { num_output: 8 kernel_size: 5 pad: 2 } }
            layer { name: "s" type: "Softmax" bottom: "c" top: "s" include { phase: TEST } }
            """
        #expect(try NetImporter.parse(v1) == NetImporter.parse(current))
    }

    @Test func deprecatedDataParamFieldsMoveToTransform() throws {
        let net = try NetImporter.parse("""
            layers { name: "d" type: DATA top: "data" top: "label"
                     data_param { source: "db" backend: LMDB batch_size: 4 mean_file: "m.binaryproto" crop_size: 28 mirror: true } }
            """)
        let data = try #require(net.layers[0].data)
        #expect(data.backend == "LMDB")
        #expect(data.transform.meanFile == "m.binaryproto")
        #expect(data.transform.cropSize == 28)
        #expect(data.transform.mirror)
    }

    @Test func unknownLayerTypeNamesTheLayer() {
        let text = #"layer { name: "norm1" type: "LRN" bottom: "a" top: "b" }"#
        #expect(throws: CaffeFormatError.unknownLayerType(path: "net.prototxt", layer: "norm1", type: "LRN")) {
            try NetImporter.parse(text, path: "net.prototxt")
        }
        let v1 = #"layers { name: "norm1" type: LRN bottom: "a" top: "b" }"#
        #expect(throws: CaffeFormatError.unknownLayerType(path: "net.prototxt", layer: "norm1", type: "LRN")) {
            try NetImporter.parse(v1, path: "net.prototxt")
        }
    }

    @Test func garbageReportsFileAndLine() throws {
        let text = """
            name: "x"
            layer {
              name: "a"
              type: "ReLU"
              colour: "blue"
            }
            """
        do {
            _ = try NetImporter.parse(text, path: "bad.prototxt")
            Issue.record("garbage parsed")
        } catch let error as CaffeFormatError {
            guard case let .textSyntax(path, line, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == "bad.prototxt")
            #expect(line == 5)
            #expect(error.description.hasPrefix("bad.prototxt:5:"))
        }
        #expect(throws: CaffeFormatError.self) { try NetImporter.parse("\u{1}\u{2} not a net {{", path: "junk") }
        #expect(throws: CaffeFormatError.self) { try NetImporter.parse("layer { name: \"a\"", path: "cut") }
    }

    @Test func unreadableFileIsNamed() throws {
        let url = URL(fileURLWithPath: "/nonexistent/net.prototxt")
        #expect(throws: CaffeFormatError.unreadable(path: url.path, reason: "no such file")) {
            try NetImporter.read(contentsOf: url)
        }
    }

    @Test func templateSubstitution() throws {
        #expect(PrototxtTemplate.placeholders(in: "a %(x)d b %(y)s %(x)d") == ["x", "y"])
        #expect(try PrototxtTemplate.substitute("s: \"%(x)d_%(y)s\" 100%%", ["x": "7", "y": "w"], path: "p") == "s: \"7_w\" 100%")
        #expect(try PrototxtTemplate.substitute("no placeholders 50%", [:], path: "p") == "no placeholders 50%")
        #expect(throws: CaffeFormatError.badSubstitution(path: "p", name: "x", value: "one")) {
            try PrototxtTemplate.substitute("%(x)d", ["x": "one"], path: "p")
        }
        #expect(throws: CaffeFormatError.missingSubstitution(path: "p", name: "y")) {
            try PrototxtTemplate.substitute("%(x)d %(y)d", ["x": "1"], path: "p")
        }
    }
}
