import Foundation

/// The tutorial author's released files, read from `../shared/reference/janowczyk-2016/` beside the package
/// (never copied into the project). Tests that need them are skipped with `missingMessage` when absent.
enum ReferenceFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/reference/janowczyk-2016", isDirectory: true)

    static var available: Bool {
        FileManager.default.fileExists(atPath: url("deploy_train32.prototxt").path)
    }

    static let missingMessage: Comment =
        "reference files not found at ../shared/reference/janowczyk-2016 (see docs: they are not part of the repository)"

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
    static func caffemodel(fold: Int) -> URL { url("\(fold)_caffenet_train_w32_2nd_iter_600000.caffemodel") }
    static func mean(fold: Int) -> URL { url("DB_train_w32_\(fold)_2nd.binaryproto") }
}

import Testing

/// A fresh empty folder for files a test writes.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-caffe-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Test fixtures written by scripts/fixtures/make_caffe_fixtures.py.
func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
}
