import Foundation
import MitosisCaffe
import MitosisNN
import Testing

@Suite("caffemodel weights")
struct CaffeModelTests {
    static let expectedShapes: [(String, [[Int]])] = [
        ("conv1", [[32, 3, 5, 5], [32]]), ("conv2", [[32, 32, 5, 5], [32]]), ("conv3", [[64, 32, 5, 5], [64]]),
        ("ip1", [[64, 1024], [64]]), ("ip2", [[2, 64], [2]]),
    ]

    @Test(.enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage), arguments: 1...5)
    func releasedModelReads(fold: Int) throws {
        let model = try CaffeModel(contentsOf: ReferenceFiles.caffemodel(fold: fold))
        #expect(model.layers.map(\.name) == Self.expectedShapes.map(\.0))
        #expect(model.layers.map(\.type) == ["Convolution", "Convolution", "Convolution", "InnerProduct", "InnerProduct"])
        for (layer, (_, shapes)) in zip(model.layers, Self.expectedShapes) {
            #expect(layer.blobs.map(\.shape) == shapes, "\(layer.name)")
            #expect(layer.blobs.allSatisfy { $0.data.allSatisfy(\.isFinite) })
        }
        let weights = model.weights
        #expect(weights["conv1"]?[0].data.contains { $0 != 0 } == true)
    }

    @Test(.enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage))
    func releasedModelRoundTripsThroughCurrentFormat() throws {
        let model = try CaffeModel(contentsOf: ReferenceFiles.caffemodel(fold: 1))
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("copy.caffemodel")
        try model.write(to: url)
        #expect(try CaffeModel(contentsOf: url) == model)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["copy.caffemodel"])
    }

    @Test func writeReadRoundTripKeepsDefinitionOrderAndTypes() throws {
        var definition = NetDefinition(name: "n")
        definition.layers = [
            LayerDefinition(name: "conv", type: "Convolution"), LayerDefinition(name: "relu", type: "ReLU"),
            LayerDefinition(name: "fc", type: "InnerProduct"),
        ]
        let weights: [String: [Tensor]] = [
            "fc": [Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), Tensor(shape: [2], data: [-1, 1])],
            "conv": [Tensor(shape: [1, 1, 2, 2], data: [0.5, -0.5, 0.25, 8]), Tensor(shape: [1], data: [3])],
            "extra": [Tensor(shape: [4], data: [1, 2, 3, 4])],
        ]
        let model = CaffeModel(weights: weights, definition: definition)
        #expect(model.name == "n")
        #expect(model.layers.map(\.name) == ["conv", "fc", "extra"])
        let decoded = try CaffeModel(serializedData: model.serializedData())
        #expect(decoded == model)
        #expect(decoded.weights == weights)
    }

    @Test func garbageIsAnError() {
        #expect(throws: CaffeFormatError.self) {
            try CaffeModel(serializedData: Data([0xff, 0xff, 0xff, 0x01, 0x02]), path: "junk.caffemodel")
        }
    }
}

@Suite("binaryproto mean images and solver states")
struct BlobFileTests {
    @Test(.enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage), arguments: 1...5)
    func releasedMeanReads(fold: Int) throws {
        let mean = try MeanImage.read(contentsOf: ReferenceFiles.mean(fold: fold))
        #expect(mean.shape == [1, 3, 32, 32])
        #expect(mean.data.allSatisfy { (0...255).contains($0) })
        // H&E tissue: blue (BGR channel 0) is brighter on average than red's complement would suggest; just
        // check the channels differ, i.e. the file is not constant.
        let channelMeans = (0..<3).map { c in mean.data[c * 1024..<(c + 1) * 1024].reduce(0, +) / 1024 }
        #expect(Set(channelMeans).count == 3)
    }

    @Test func meanWriteReadRoundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("mean.binaryproto")
        let mean = Tensor(shape: [1, 3, 2, 2], data: (0..<12).map { Float($0) * 10.5 })
        try MeanImage.write(mean, to: url)
        #expect(try MeanImage.read(contentsOf: url) == mean)
    }

    @Test func solverStateRoundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("x_iter_100.solverstate")
        let state = SolverStateFile(
            iteration: 100, learnedNet: "x_iter_100.caffemodel",
            history: [Tensor(shape: [2, 1, 1, 1], data: [0.5, 2]), Tensor(shape: [2], data: [1e-3, 4])], currentStep: 1)
        try state.write(to: url)
        #expect(try SolverStateFile(contentsOf: url) == state)
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/mean.binaryproto")
        #expect(throws: CaffeFormatError.unreadable(path: url.path, reason: "no such file")) {
            try MeanImage.read(contentsOf: url)
        }
    }
}

extension BlobFileTests {
    @Test func engineSolverStateConverts() {
        let adam = SolverState(
            iteration: 7, history: [Tensor(shape: [2], data: [1, 2])], history2: [Tensor(shape: [2], data: [3, 4])],
            randomState: 9)
        let file = SolverStateFile(adam, learnedNet: "m.caffemodel")
        #expect(file.history.count == 2)
        let back = file.solverState(parameterCount: 1, randomState: 9)
        #expect(back == adam)
    }
}
