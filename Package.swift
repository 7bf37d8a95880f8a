// swift-tools-version: 6.1
// mitosis: mitotic-figure detection in H&E breast-cancer histology (Janowczyk & Madabhushi 2016, use case 5).
import PackageDescription

/// Kernel modules are compiled without bounds checks in release builds; debug builds keep them.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "mitosis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mitosis", targets: ["mitosis"]),
        .library(name: "MitosisSupport", targets: ["MitosisSupport"]),
        .library(name: "MitosisImage", targets: ["MitosisImage"]),
        .library(name: "MitosisNN", targets: ["MitosisNN"]),
        .library(name: "MitosisCaffe", targets: ["MitosisCaffe"]),
        .library(name: "MitosisStore", targets: ["MitosisStore"]),
        .library(name: "MitosisData", targets: ["MitosisData"]),
        .library(name: "MitosisSynth", targets: ["MitosisSynth"]),
        .library(name: "MitosisVisuals", targets: ["MitosisVisuals"]),
        .library(name: "MitosisTraining", targets: ["MitosisTraining"]),
        .library(name: "MitosisPipeline", targets: ["MitosisPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Thin wrappers of Debian's native libraries (see scripts/bootstrap.sh).
        .systemLibrary(name: "CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4"),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg"),
        .systemLibrary(name: "CDNNL"),
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb"),
        .systemLibrary(name: "CLevelDB"),
        .systemLibrary(name: "COpenSlide", pkgConfig: "openslide"),

        // What every module needs once: the seeded generator, atomic file writes, the path rule, free disk space; no dependencies.
        .target(name: "MitosisSupport"),
        // Images: pixel type, codecs, resampling, colour, morphology.
        // The fused uint8 resize kernel compiled for AVX2 (haswell); MitosisImage calls it only where `CPUFeatures.haswellClass`.
        .target(name: "MitosisResampleAVX", dependencies: ["MitosisSupport"],
                swiftSettings: fast + [.unsafeFlags(["-target-cpu", "haswell"])]),
        .target(name: "MitosisImage", dependencies: ["CPNG", "CTIFF", "CTurboJPEG", "MitosisResampleAVX", "MitosisSupport"], swiftSettings: fast),
        // Neural networks: tensors, Caffe-semantics layers on oneDNN, nets, solvers.
        .target(name: "MitosisNN", dependencies: ["CDNNL", "MitosisSupport"], exclude: ["README.md", "Kernels/README.md"], swiftSettings: fast),
        // Caffe formats: prototxt, caffemodel, binaryproto, solver state, Datum; ONNX export.
        .target(
            name: "MitosisCaffe",
            dependencies: ["MitosisNN", "MitosisImage", "MitosisSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto/caffe.proto", "Proto/onnx.proto", "Proto/README.md"]),
        // Patch databases: one key/value interface, LMDB and LevelDB backends.
        .target(name: "MitosisStore", dependencies: ["CLMDB", "CLevelDB", "MitosisSupport"]),
        // The tutorial's dataset layout: images, centre CSVs, helper masks, patients.
        .target(name: "MitosisData", dependencies: ["MitosisImage", "MitosisSupport"]),
        // Synthetic H&E cohorts for tests, the demo and benchmarks.
        .target(name: "MitosisSynth", dependencies: ["MitosisData", "MitosisImage", "MitosisSupport"], swiftSettings: fast),
        // The six steps, detection, evaluation, grading, reports.
        // Plots, heatmaps, overlays and thumbnails drawn into images (PNG) and SVG; knows nothing of the steps.
        .target(name: "MitosisVisuals", dependencies: ["MitosisImage"], swiftSettings: fast),
        .target(
            name: "MitosisTraining",
            dependencies: [
                "MitosisImage", "MitosisNN", "MitosisCaffe", "MitosisStore", "MitosisData", "MitosisSupport", "MitosisVisuals",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: fast),
        .target(
            name: "MitosisPipeline",
            dependencies: [
                "MitosisImage", "MitosisNN", "MitosisCaffe", "MitosisStore", "MitosisData", "MitosisSupport", "MitosisVisuals",
                "MitosisTraining", "COpenSlide",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: fast),
        // The command-line tool: one thin file per subcommand.
        .executableTarget(
            name: "mitosis",
            dependencies: [
                "MitosisImage", "MitosisNN", "MitosisStore", "MitosisData", "MitosisSynth",
                "MitosisPipeline", "MitosisSupport", "MitosisTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .testTarget(name: "MitosisSupportTests", dependencies: ["MitosisSupport"]),
        .testTarget(name: "MitosisImageTests", dependencies: ["MitosisImage", "CTIFF", "COpenSlide"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MitosisNNTests", dependencies: ["MitosisNN"]),
        .testTarget(name: "MitosisCaffeTests", dependencies: ["MitosisCaffe", "MitosisImage"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MitosisStoreTests", dependencies: ["MitosisStore"]),
        .testTarget(name: "MitosisDataTests", dependencies: ["MitosisData", "MitosisImage"]),
        .testTarget(name: "MitosisSynthTests", dependencies: ["MitosisSynth", "MitosisData", "MitosisImage"]),
        .testTarget(name: "MitosisVisualsTests", dependencies: ["MitosisVisuals", "MitosisImage"]),
        .testTarget(name: "MitosisTrainingTests", dependencies: ["MitosisTraining", "MitosisCaffe", "MitosisData", "MitosisImage", "MitosisNN", "MitosisStore", "MitosisSupport"]),
        .testTarget(name: "MitosisPipelineTests", dependencies: ["MitosisPipeline", "MitosisTraining", "MitosisSynth", "MitosisSupport", "MitosisVisuals", "COpenSlide"]),
        .testTarget(name: "MitosisCLITests", dependencies: ["mitosis", "MitosisImage", "MitosisPipeline", "MitosisSupport", "MitosisTraining"]),
    ],
    swiftLanguageModes: [.v5]
)

// The libFuzzer targets (Fuzz/MitosisFuzz): only when scripts/fuzz.sh builds them, with `--sanitize fuzzer`,
// which supplies `main`; an ordinary `swift build` would fail to link them.
if Context.environment["MITOSIS_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "mitosis-fuzz",
        dependencies: ["MitosisCaffe", "MitosisData", "MitosisImage", "MitosisPipeline", "MitosisSupport", "MitosisTraining"],
        path: "Fuzz/MitosisFuzz",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "mitosis-fuzz", targets: ["mitosis-fuzz"]))
}
