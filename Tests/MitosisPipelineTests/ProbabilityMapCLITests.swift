import Foundation
import MitosisImage
import Testing
@testable import MitosisPipeline

/// `mitosis classify` on two 32x32 crops of the reference tissue with the author's fold-1 model (skipped when
/// ../shared/reference is absent or the `mitosis` binary was not built beside the test bundle).
@Suite struct ProbabilityMapCLITests {
    static let shared = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference")
    static let janowczyk = shared.appendingPathComponent("janowczyk-2016")
    /// The `mitosis` executable beside the test bundle (or `$MITOSIS_BINARY`).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["MITOSIS_BINARY"] { return URL(fileURLWithPath: path) }
        let places = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL, Bundle.main.executableURL]
            .compactMap { $0?.resolvingSymlinksInPath().deletingLastPathComponent() }
        let candidates = places.flatMap { [$0.appendingPathComponent("mitosis"), $0.deletingLastPathComponent().appendingPathComponent("mitosis")] }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()
    static let available = FileManager.default.fileExists(atPath: janowczyk.appendingPathComponent("deploy_train32.prototxt").path)
        && FileManager.default.fileExists(atPath: binary.path)

    @Test(.enabled(if: available, "needs ../shared/reference and the mitosis binary"))
    func classifyPrintsOneLinePerPatchAndFailsOnATooSmallOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("classify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tissue = try ImageIO.read(Self.shared.appendingPathComponent("tissue/breast-carcinoma-he-1000.png").path).convertedToChannels(3)
        var files: [String] = [], patches: [UInt8] = []
        for (k, (x, y)) in [(100, 200), (600, 450)].enumerated() {
            var crop = Image(width: 32, height: 32, channels: 3)
            for r in 0..<32 { for c in 0..<32 { for ch in 0..<3 { crop[c, r, ch] = tissue[x + c, y + r, ch] } } }
            let path = folder.appendingPathComponent("p\(k).png").path
            try ImageIO.write(crop, to: path)
            files.append(path); patches += crop.pixels
        }
        let small = folder.appendingPathComponent("small.png").path
        try ImageIO.write(Image(width: 20, height: 32, channels: 3), to: small)

        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["classify", "--net", Self.janowczyk.appendingPathComponent("deploy_train32.prototxt").path,
                             "--weights", Self.janowczyk.appendingPathComponent("1_caffenet_train_w32_2nd_iter_600000.caffemodel").path,
                             "--mean", Self.janowczyk.appendingPathComponent("DB_train_w32_1_2nd.binaryproto").path] + files + [small]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out; process.standardError = err
        try process.run()
        process.waitUntilExit()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(errors.contains("small.png") && errors.contains("smaller"))
        #expect(lines.count == 2)
        let model = try ClassifierModel.load(net: Self.janowczyk.appendingPathComponent("deploy_train32.prototxt"),
                                             weights: Self.janowczyk.appendingPathComponent("1_caffenet_train_w32_2nd_iter_600000.caffemodel"),
                                             mean: Self.janowczyk.appendingPathComponent("DB_train_w32_1_2nd.binaryproto"))
        let expected = try PatchClassifier(models: [model], batch: 2).probabilities(rgb: patches, count: 2)
        for (k, line) in lines.enumerated() {
            let fields = line.split(separator: " ")
            #expect(fields.count == 3 && fields[0] == "p\(k).png")
            let p0 = Float(fields[1])!, p1 = Float(fields[2])!
            #expect(abs(p0 + p1 - 1) < 2e-6)
            #expect(abs(p1 - expected[k]) < 2e-6)
        }
    }
}
