import Foundation
import MitosisCaffe
import MitosisNN
import MitosisTraining
import Testing

/// Where the author's released files are (beside the package, never copied into it).
enum AuthorNets {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference/janowczyk-2016")
    static var available: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("deploy_train32.prototxt").path) }
}

/// The nets `mitosis run` writes against the tutorial author's released training nets
/// (`../shared/reference/janowczyk-2016`, never copied here): the same layers, wiring, shapes, fillers,
/// learning-rate multipliers and dropout, written in today's `layer { }` syntax.
@Suite(.enabled(if: AuthorNets.available, "needs ../shared/reference/janowczyk-2016"))
struct NetTemplatesTests {
    static var folder: URL { AuthorNets.folder }

    /// What must agree: everything but the data, accuracy and loss layers (whose sources and names differ).
    struct Signature: Equatable, CustomStringConvertible {
        var name: String, type: String, bottoms: [String], tops: [String], lrMults: [Float]
        var convolution: String, pooling: String, innerProduct: String, dropout: Float?
        init(_ l: LayerDefinition) {
            name = l.name; type = l.type; bottoms = l.bottoms; tops = l.tops; lrMults = l.params.map(\.lrMult)
            convolution = l.convolution.map { "\($0)" } ?? ""
            pooling = l.pooling.map { "\($0)" } ?? ""
            innerProduct = l.innerProduct.map { "\($0)" } ?? ""
            dropout = l.type == "Dropout" ? l.dropoutRatio : nil
        }
        var description: String { "\(name) \(type) \(bottoms)->\(tops) \(convolution)\(pooling)\(innerProduct)" }
    }

    static func signatures(_ net: NetDefinition) -> [Signature] {
        net.layers.filter { !["Data", "Accuracy", "SoftmaxWithLoss"].contains($0.type) }.map(Signature.init)
    }

    @Test(arguments: [(NetTemplates.Architecture.tutorial, "BASE-alexnet_traing_32w_db.prototxt"),
                      (.dropout, "BASE-alexnet_traing_32w_dropout_db.prototxt")])
    func theTrainingNetIsTheAuthors(architecture: NetTemplates.Architecture, file: String) throws {
        let author = try NetImporter.read(contentsOf: Self.folder.appendingPathComponent(file), substitutions: ["kfoldi": "1"])
        let ours = try NetImporter.parse(NetTemplates.trainNet(trainDB: "t", testDB: "v", meanFile: "m", backend: "lmdb",
                                                               architecture: architecture), path: "net.prototxt")
        #expect(Self.signatures(ours) == Self.signatures(author))
        #expect(Self.signatures(ours).count == (architecture == .tutorial ? 11 : 15))
    }

    @Test(arguments: NetTemplates.Architecture.allCases)
    func theDeployNetIsTheTrainingNetWithSoftmax(architecture: NetTemplates.Architecture) throws {
        let train = try NetImporter.parse(NetTemplates.trainNet(trainDB: "t", testDB: "v", meanFile: "m", backend: "lmdb",
                                                                architecture: architecture), path: "net.prototxt")
        let deploy = try NetImporter.parse(NetTemplates.deployNet(architecture: architecture), path: "deploy.prototxt")
        #expect(deploy.inputShapes == [[1, 3, 32, 32]])
        #expect(Self.signatures(deploy).dropLast() == Self.signatures(train)[...])
        #expect(deploy.layers.last?.type == "Softmax")
    }
}
