import Foundation
import MitosisCaffe
import MitosisNN
import Testing

/// The released models run by our engine against OpenCV's dnn module (cross-checked by a numpy forward
/// pass). Fixtures come from scripts/fixtures/make_caffe_fixtures.py: 28 patches (24 tissue crops, 4
/// synthetic) and, per model, their probabilities and ip2 outputs.
@Suite("Golden: released models vs OpenCV", .enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage))
struct GoldenModelTests {
    struct Golden: Decodable {
        struct Model: Decodable {
            var probabilities: [[Double]]
            var logits: [[Double]]
        }
        var models: [String: Model]
    }

    static func patchesAsInput(mean: Tensor) throws -> Tensor {
        let bytes = try [UInt8](Data(contentsOf: fixtureURL("golden_patches.rgb")))
        let size = 32 * 32 * 3
        let count = bytes.count / size
        var data = [Float](repeating: 0, count: bytes.count)
        // RGB H x W x 3 -> BGR 3 x H x W, minus the mean image.
        for n in 0..<count {
            for y in 0..<32 {
                for x in 0..<32 {
                    for c in 0..<3 {
                        let value = Float(bytes[n * size + (y * 32 + x) * 3 + (2 - c)])
                        let offset = (c * 32 + y) * 32 + x
                        data[n * size + offset] = value - mean.data[offset]
                    }
                }
            }
        }
        return Tensor(shape: [count, 3, 32, 32], data: data)
    }

    /// All five models, all patches, on the oneDNN backend (the production path).
    @Test(arguments: 1...5)
    func probabilitiesMatch(fold: Int) throws {
        try compare(fold: fold, backend: OneDNNBackend(), patches: nil)
    }

    /// The naive Swift backend too (fewer patches: it is slow in debug builds).
    @Test func probabilitiesMatchOnSwiftBackend() throws {
        try compare(fold: 1, backend: SwiftBackend(), patches: 4)
    }

    func compare(fold: Int, backend: any ComputeBackend, patches: Int?) throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: fixtureURL("golden_probs.json")))
        let expected = try #require(golden.models["\(fold)"])
        let definition = try NetImporter.read(contentsOf: ReferenceFiles.url("deploy_train32.prototxt"))
        let mean = try MeanImage.read(contentsOf: ReferenceFiles.mean(fold: fold))
        var input = try Self.patchesAsInput(mean: mean)
        if let patches {
            input = Tensor(shape: [patches] + input.shape.dropFirst(), data: Array(input.data.prefix(patches * 3 * 32 * 32)))
        }

        let net = try Net(definition: definition, phase: .test, inputShapes: ["data": input.shape], backend: backend)
        try net.loadWeights(CaffeModel(contentsOf: ReferenceFiles.caffemodel(fold: fold)).weights)
        try net.forward(inputs: ["data": input])
        let probabilities = try #require(net.blob("prob")).data
        let logits = try #require(net.blob("ip2")).data

        let count = input.shape[0]
        #expect(probabilities.count == count * 2)
        var maxProbabilityDiff = 0.0, maxLogitDiff = 0.0
        for n in 0..<count {
            for k in 0..<2 {
                maxProbabilityDiff = max(maxProbabilityDiff, abs(Double(probabilities[n * 2 + k]) - expected.probabilities[n][k]))
                maxLogitDiff = max(maxLogitDiff, abs(Double(logits[n * 2 + k]) - expected.logits[n][k]))
            }
        }
        print("golden fold \(fold) (\(backend.name), \(count) patches): max |dP| = \(maxProbabilityDiff), max |d ip2| = \(maxLogitDiff)")
        #expect(maxProbabilityDiff < 1e-5)
        #expect(maxLogitDiff < 1e-4)
    }
}
