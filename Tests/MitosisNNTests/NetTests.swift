import Testing
@testable import MitosisNN

@Suite struct NetTests {
    @Test func tutorialShapes() throws {
        let net = try Net(definition: NetFixtures.tutorial(batch: 2), phase: .train)
        #expect(net.inputNames == ["data", "label"])
        #expect(net.blob("data")?.shape == [2, 3, 32, 32])
        #expect(net.blob("label")?.shape == [2])
        #expect(net.blob("conv1")?.shape == [2, 32, 32, 32])
        #expect(net.blob("pool1")?.shape == [2, 32, 16, 16])
        #expect(net.blob("conv2")?.shape == [2, 32, 16, 16])
        #expect(net.blob("pool2")?.shape == [2, 32, 8, 8])
        #expect(net.blob("conv3")?.shape == [2, 64, 8, 8])
        #expect(net.blob("pool3")?.shape == [2, 64, 4, 4])
        #expect(net.blob("ip1")?.shape == [2, 64])
        #expect(net.blob("ip2")?.shape == [2, 2])
        #expect(net.params(of: "ip1").map(\.shape) == [[64, 1024], [64]])
        #expect(net.params(of: "conv1").map(\.shape) == [[32, 3, 5, 5], [32]])
        #expect(net.layer(named: "accuracy") == nil)  // TEST only
        #expect(net.outputNames == ["loss"])
        let loss = try net.forward(inputs: ["data": randomTensor([1, 3, 32, 32], seed: 1),
                                            "label": Tensor(shape: [1], data: [1])])
        #expect(loss.isFinite && loss > 0)
    }

    @Test func testPhaseSplitsSharedBlobsAndReportsAccuracy() throws {
        let net = try Net(definition: NetFixtures.tutorial(batch: 1), phase: .test)
        #expect(net.layers.contains { $0.type == "Split" })
        #expect(Set(net.outputNames) == ["accuracy", "loss"])
        #expect(net.blob("accuracy")?.shape == [])
        #expect(net.blob("loss")?.shape == [])
    }

    @Test func reshapeForNewBatchSize() throws {
        let net = try Net(definition: NetFixtures.tutorial(batch: 2), phase: .train)
        try net.reshape(batchSize: 5)
        #expect(net.blob("pool3")?.shape == [5, 64, 4, 4])
        #expect(net.blob("label")?.shape == [5])
        try net.setInput("data", Tensor(shape: [3, 3, 32, 32]))
        try net.setInput("label", Tensor(shape: [3]))
        try net.reshape()
        #expect(net.blob("ip2")?.shape == [3, 2])
    }

    @Test func newBatchSizeIsAppliedAtTheNextForward() throws {
        // Data then labels of a new batch size, one after the other: the reshape waits for the forward.
        let net = try Net(definition: NetFixtures.toy(batch: 2), phase: .train)
        let batch = NetFixtures.toyBatch(batch: 5, seed: 1)
        try net.setInput("data", batch.data)
        try net.setInput("label", batch.label)
        try net.forward()
        #expect(net.blob("ip1")?.shape == [5, 2])
        try net.setInput("label", Tensor(shape: [4]))
        #expect(throws: NNError.self) { try net.forward() }
    }

    @Test func deployNetWithInputs() throws {
        var def = NetDefinition(name: "deploy")
        def.inputs = [("data", [1, 1, 8, 8])]
        def.layers = [NetFixtures.conv("conv1", "data", outputs: 2, kernel: 3, pad: 0),
                      NetFixtures.ip("ip1", "conv1", outputs: 2),
                      LayerDefinition(name: "prob", type: "Softmax", bottoms: ["ip1"], tops: ["prob"])]
        let net = try Net(definition: def, phase: .test)
        try net.forward(inputs: ["data": randomTensor([4, 1, 8, 8], seed: 2)])
        let prob = net.blob("prob")!.value
        #expect(prob.shape == [4, 2])
        #expect(abs(prob.data[0] + prob.data[1] - 1) < 1e-6)
        #expect(try net.forward(upTo: "conv1") == 0)
    }

    @Test func errorsNameTheLayer() throws {
        var unknown = NetFixtures.toy(batch: 1)
        unknown.layers[1].type = "Deconvolution"
        #expect {
            try Net(definition: unknown, phase: .train)
        } throws: { ($0 as? NNError).map { if case .unknownLayerType("conv1", "Deconvolution", _) = $0 { true } else { false } } ?? false }

        var missing = NetFixtures.toy(batch: 1)
        missing.layers[1].bottoms = ["nothing"]
        #expect {
            try Net(definition: missing, phase: .train)
        } throws: { ($0 as? NNError).map { if case .missingBottom("conv1", "nothing", _) = $0 { true } else { false } } ?? false }

        var inPlace = NetFixtures.toy(batch: 1)
        inPlace.layers[1].tops = ["data"]
        #expect(throws: NNError.self) { try Net(definition: inPlace, phase: .train) }
    }

    @Test func importingWeightsChecksShapes() throws {
        let net = try Net(definition: NetFixtures.toy(batch: 1), phase: .train)
        let w = Tensor(shape: [2, 64], fill: 0.5), b = Tensor(shape: [2], fill: 1)
        try net.setParams([w, b], of: "ip1")
        #expect(net.params(of: "ip1") == [w, b])
        // Caffe V1 4-D blobs are accepted.
        try net.setParams([Tensor(shape: [1, 1, 2, 64], fill: 0.25), b], of: "ip1")
        #expect(net.params(of: "ip1")[0].shape == [2, 64])
        #expect {
            try net.setParams([Tensor(shape: [2, 63]), b], of: "ip1")
        } throws: { ($0 as? NNError).map { if case .shapeMismatch("ip1", [2, 64], [2, 63], _) = $0 { true } else { false } } ?? false }
        #expect(throws: NNError.self) { try net.setParams([w, b], of: "nope") }
    }

    @Test func testNetSharesTrainNetWeights() throws {
        let train = try Net(definition: NetFixtures.toy(batch: 2), phase: .train, seed: 1)
        let test = try Net(definition: NetFixtures.toy(batch: 3), phase: .test, seed: 2)
        #expect(train.params(of: "conv1") != test.params(of: "conv1"))
        try test.shareParams(with: train)
        #expect(train.params(of: "conv1") == test.params(of: "conv1"))
        try train.setParams([Tensor(shape: [2, 64], fill: 3), Tensor(shape: [2])], of: "ip1")
        #expect(test.params(of: "ip1")[0].data.allSatisfy { $0 == 3 })
    }

    /// End-to-end numerical check of Net.backward through conv, in-place ReLU, pooling, a split and the loss.
    @Test func netGradientCheck() throws {
        var def = NetFixtures.toy(batch: 2)
        var extra = NetFixtures.ip("ip_side", "pool1", outputs: 2)
        extra.lossWeight = []
        var sideLoss = LayerDefinition(name: "loss2", type: "SoftmaxWithLoss", bottoms: ["ip_side", "label"], tops: ["loss2"])
        sideLoss.lossWeight = [0.5]
        def.layers += [extra, sideLoss]
        let net = try Net(definition: def, phase: .train, seed: 4)
        let batch = NetFixtures.toyBatch(batch: 2, seed: 5)
        try net.setInput("data", batch.data)
        try net.setInput("label", batch.label)
        net.clearParamDiffs()
        try net.forwardBackward()
        let step: Float = 1e-3
        for layer in ["conv1", "ip1", "ip_side"] {
            for (p, blob) in net.layer(named: layer)!.blobs.enumerated() {
                let analytic = blob.diff
                for i in stride(from: 0, to: blob.count, by: max(1, blob.count / 12)) {
                    let saved = blob.data[i]
                    blob.data[i] = saved + step
                    let plus = Double(try net.forward())
                    blob.data[i] = saved - step
                    let minus = Double(try net.forward())
                    blob.data[i] = saved
                    let numeric = Float((plus - minus) / (2 * Double(step)))
                    #expect(abs(numeric - analytic[i]) <= 2e-2 * max(1, abs(numeric)), "\(layer) param \(p)[\(i)]")
                }
            }
        }
    }
}
