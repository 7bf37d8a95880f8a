import Foundation
import MitosisData
import MitosisStore
import MitosisSupport

/// The tutorial's network and solver as prototxt text that `mitosis run` writes for each fold.
///
/// Same architecture as the author's `BASE-alexnet_traing_32w_db.prototxt` (written here in the current
/// `layer { }` syntax, not copied): conv1 32x5x5 pad 2 -> max pool 3/2 -> ReLU -> conv2 32x5x5 pad 2 -> ReLU ->
/// ave pool 3/2 -> conv3 64x5x5 pad 2 -> ReLU -> ave pool 3/2 -> ip1 64 -> ip2 2 -> softmax loss, with the
/// author's fillers, `lr_mult` 1/2 and data transform (mean file, mirror, crop 32).
public enum NetTemplates {
    /// Which of the author's two 32x32 nets a fold trains.
    public enum Architecture: String, Sendable, Codable, CaseIterable {
        /// `BASE-alexnet_traing_32w_db.prototxt`: ip1 -> ip2 with nothing in between.
        case tutorial
        /// `BASE-alexnet_traing_32w_dropout_db.prototxt`: ReLU and dropout 0.5 after ip1 and again after ip2
        /// (the author's placement, ReLU on the scores included).
        case dropout
    }

    /// The training/testing net of one fold.
    public static func trainNet(trainDB: String, testDB: String, meanFile: String, backend: String,
                                batchSize: Int = 128, testBatchSize: Int = 128, architecture: Architecture = .tutorial) -> String {
        func data(_ phase: String, _ db: String, _ batch: Int) -> String {
            """
            layer {
              name: "data" type: "Data" top: "data" top: "label"
              include { phase: \(phase) }
              transform_param { mirror: \(phase == "TRAIN") crop_size: 32 mean_file: "\(meanFile)" }
              data_param { source: "\(db)" backend: \(backend.uppercased()) batch_size: \(batch) }
            }

            """
        }
        return "name: \"mitosis_w32\"\n" + data("TRAIN", trainDB, batchSize) + data("TEST", testDB, testBatchSize) + body(architecture)
            + """
            layer { name: "accuracy" type: "Accuracy" bottom: "ip2" bottom: "label" top: "accuracy" include { phase: TEST } }
            layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip2" bottom: "label" top: "loss" }

            """
    }

    /// The deploy net (input 1x3x32x32, softmax `prob`), for probability maps and `mitosis classify`.
    public static func deployNet(architecture: Architecture = .tutorial) -> String {
        "name: \"mitosis_w32\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 32 }\n" + body(architecture)
            + "layer { name: \"prob\" type: \"Softmax\" bottom: \"ip2\" top: \"prob\" }\n"
    }

    /// A solver like the author's (AdaGrad, fixed rate, weight decay 0.004), or Adam with Caffe's default
    /// moments; with our CPU schedule by default (see README, "Training"). `lrPolicy` "poly" decays the rate
    /// linearly to zero at `maxIter` (Caffe's poly policy with power 1).
    public static func solver(net: String, snapshotPrefix: String, maxIter: Int, baseLR: Double = 0.001, type: String = "AdaGrad",
                              lrPolicy: String = "fixed",
                              testIter: Int, testInterval: Int, snapshot: Int, display: Int = 50, seed: UInt64 = 1) -> String {
        let moments = type == "Adam" ? "momentum: 0.9\nmomentum2: 0.999\n" : ""
        let policy = lrPolicy == "poly" ? "lr_policy: \"poly\"\npower: 1" : "lr_policy: \"\(lrPolicy)\""
        return 
"""
        net: "\(net)"
        test_iter: \(testIter)
        test_interval: \(testInterval)
        test_initialization: false
        base_lr: \(baseLR)
        \(policy)
        weight_decay: 0.004
        type: "\(type)"
        \(moments)delta: 1e-8
        display: \(display)
        max_iter: \(maxIter)
        snapshot: \(snapshot)
        snapshot_prefix: "\(snapshotPrefix)"
        random_seed: \(seed)
        solver_mode: CPU

        """
    }

    static func body(_ architecture: Architecture) -> String {
        switch architecture {
        case .tutorial: return trunk + ip1 + ip2
        case .dropout: return trunk + ip1 + regularised("ip1", 4) + ip2 + regularised("ip2", 5)
        }
    }

    /// ReLU then dropout 0.5, in place on `top`, named as the author's `relu4`/`drop4`.
    static func regularised(_ top: String, _ n: Int) -> String {
        """
        layer { name: "relu\(n)" type: "ReLU" bottom: "\(top)" top: "\(top)" }
        layer { name: "drop\(n)" type: "Dropout" bottom: "\(top)" top: "\(top)" dropout_param { dropout_ratio: 0.5 } }

        """
    }

    static let trunk = """
        layer {
          name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
          param { lr_mult: 1 } param { lr_mult: 2 }
          convolution_param { num_output: 32 pad: 2 kernel_size: 5 stride: 1
            weight_filler { type: "gaussian" std: 0.0001 } bias_filler { type: "constant" } }
        }
        layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
        layer { name: "relu1" type: "ReLU" bottom: "pool1" top: "pool1" }
        layer {
          name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
          param { lr_mult: 1 } param { lr_mult: 2 }
          convolution_param { num_output: 32 pad: 2 kernel_size: 5 stride: 1
            weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" } }
        }
        layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
        layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
        layer {
          name: "conv3" type: "Convolution" bottom: "pool2" top: "conv3"
          param { lr_mult: 1 } param { lr_mult: 2 }
          convolution_param { num_output: 64 pad: 2 kernel_size: 5 stride: 1
            weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" } }
        }
        layer { name: "relu3" type: "ReLU" bottom: "conv3" top: "conv3" }
        layer { name: "pool3" type: "Pooling" bottom: "conv3" top: "pool3" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }

        """

    static let ip1 = """
        layer {
          name: "ip1" type: "InnerProduct" bottom: "pool3" top: "ip1"
          param { lr_mult: 1 } param { lr_mult: 2 }
          inner_product_param { num_output: 64 weight_filler { type: "gaussian" std: 0.1 } bias_filler { type: "constant" } }
        }

        """

    static let ip2 = """
        layer {
          name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2"
          param { lr_mult: 1 } param { lr_mult: 2 }
          inner_product_param { num_output: 2 weight_filler { type: "gaussian" std: 0.1 } bias_filler { type: "constant" } }
        }

        """
}
