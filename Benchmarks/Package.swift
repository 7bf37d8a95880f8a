// swift-tools-version: 6.1
// Benchmarks of mitosis, kept out of the main package so benchmark code never enters the product.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, whatever the clone of the main package is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "mitosis-benchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "fma-peak", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("pthread")]),
        .executableTarget(
            name: "mitosis-bench",
            dependencies: [.product(name: "MitosisNN", package: root)],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]),
        .executableTarget(
            name: "sweep-bench",
            dependencies: [.product(name: "MitosisPipeline", package: root), .product(name: "MitosisSupport", package: root)]),
        .executableTarget(
            name: "resize-bench",
            dependencies: [.product(name: "MitosisImage", package: root)]),
        .executableTarget(
            name: "hotspot-bench",
            dependencies: [.product(name: "MitosisPipeline", package: root), .product(name: "MitosisImage", package: root),
                           .product(name: "MitosisSupport", package: root)]),
    ],
    swiftLanguageModes: [.v5]
)
