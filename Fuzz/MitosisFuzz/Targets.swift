// libFuzzer entry points for every parser of input mitosis does not control (issue 16).
//
// One binary, `mitosis-fuzz`, built only by `scripts/fuzz.sh` (the package adds it when MITOSIS_FUZZ=1, with
// `--sanitize fuzzer --sanitize address`); the environment variable MITOSIS_FUZZ_TARGET picks the parser.
// Each target feeds the bytes to the same entry point the commands use, from memory or from a file in a
// private folder, and checks what the user would see: no crash, no hang, no sanitizer report, and an error
// that names the file it was given (a bare DecodingError or a message without the path is a finding too).
import Foundation
@testable import MitosisCaffe
import MitosisData
import MitosisImage
@testable import MitosisPipeline
@testable import MitosisTraining

/// The parsers, by the name `scripts/fuzz.sh` gives them (also the corpus folder's name).
enum FuzzTarget: String, CaseIterable {
    case centreCSV = "centre-csv"            // PP_II.csv centre lists (MitosisData.CentreCSV)
    case detectionsCSV = "detections-csv"    // x,y,logodds files read back by evaluate/grade (DetectionWriter)
    case netPrototxt = "net-prototxt"        // net definitions, old (layers/V1) and new (layer) syntax
    case solverPrototxt = "solver-prototxt"  // solver definitions
    case template = "template"               // %(kfoldi)d-style templated prototxts
    case caffemodel = "caffemodel"           // NetParameter weights
    case binaryproto = "binaryproto"         // mean images (BlobProto)
    case solverstate = "solverstate"         // SolverState snapshots
    case datum = "datum"                     // caffe.Datum records as read from LMDB/LevelDB
    case patchArchive = "patch-archive"      // step 1's .patches archives
    case foldsJSON = "folds-json"            // folds.json
    case patchIndex = "patch-index"          // patches/index.json
    case bundleManifest = "bundle-manifest"  // model bundle manifest.json
    case png = "png"                         // PNGCodec (libpng simplified API)
    case jpeg = "jpeg"                       // JPEGCodec (libjpeg-turbo)
    case tiff = "tiff"                       // TIFFCodec, FloatTIFF and the header probe (libtiff)
}

/// A private folder per process for targets whose entry point reads a path.
let scratch: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let folder = base + "/mitosis-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/mitosis-fuzz-\(getpid())") }
    return folder
}()

let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["MITOSIS_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("mitosis-fuzz: set MITOSIS_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return t
}()

/// Writes `bytes` to `name` in the scratch folder and returns its path.
func file(_ name: String, _ bytes: Data) -> String {
    let path = scratch + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: bytes)
    return path
}

/// An error the user sees must name the file it is about.
func expectNamed(_ error: Error, _ path: String) {
    let text = "\(error)"
    if !text.contains(path) {
        fatalError("error does not name \(path): \(text)")
    }
}

/// Runs `body`; an error is fine (the input is bad) as long as it names `path`.
func check(_ path: String, _ body: () throws -> Void) {
    do { try body() } catch { expectNamed(error, path) }
}

func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

func run(_ data: Data) {
    switch target {
    case .centreCSV:
        let path = file("01_01.csv", data)
        check(path) { _ = try CentreCSV.read(path) }
        check(path) { _ = try CentreCSV.read(path, order: .yx, imageSize: (2000, 2000)) }
    case .detectionsCSV:
        let path = file("detections.csv", data)
        check(path) { _ = try DetectionWriter.parseCSV(text(data), path: path) }
    case .netPrototxt:
        let path = file("net.prototxt", data)
        check(path) {
            let net = try NetImporter.read(contentsOf: URL(fileURLWithPath: path))
            _ = try? DatabaseBatchSource.dataDefinitions(of: net)
        }
    case .solverPrototxt:
        let path = file("solver.prototxt", data)
        check(path) { _ = try SolverImporter.read(contentsOf: URL(fileURLWithPath: path), substitutions: ["kfoldi": "1"]) }
    case .template:
        let path = file("template.prototxt", data)
        let t = text(data)
        _ = PrototxtTemplate.placeholders(in: t)
        check(path) { _ = try PrototxtTemplate.substitute(t, ["kfoldi": "3", "fold": "2"], path: path) }
    case .caffemodel:
        let path = file("weights.caffemodel", data)
        check(path) { _ = try CaffeModel(contentsOf: URL(fileURLWithPath: path)) }
    case .binaryproto:
        let path = file("mean.binaryproto", data)
        check(path) { _ = try MeanImage.read(contentsOf: URL(fileURLWithPath: path)) }
    case .solverstate:
        let path = file("net_iter_1.solverstate", data)
        check(path) { _ = try SolverStateFile(contentsOf: URL(fileURLWithPath: path)) }
    case .datum:
        // Both readers: the library's Datum (used by `mitosis db` tools) and training's zero-copy record.
        _ = try? Datum(serializedBytes: [UInt8](data)).image()
        data.withUnsafeBytes { raw in
            if let record = try? _DatumRecord(parsing: raw) { try? record.validate() }
        }
    case .patchArchive:
        let path = file("01_01.patches", data)
        check(path) { _ = try PatchArchive.readRecords(path) }
    case .foldsJSON:
        let path = file("folds.json", data)
        check(path) { _ = try FoldsFile.summary(path) }
        check(path) { _ = try FoldsFile.read(path) }
    case .patchIndex:
        let folder = scratch + "/patches"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = file("patches/" + PatchIndex.fileName, data)
        check(path) { _ = try PatchIndex.read(from: folder) }
    case .bundleManifest:
        let folder = scratch + "/model"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = file("model/" + ModelBundle.manifestName, data)
        check(path) { _ = try ModelBundle.read(folder: folder) }
    case .png:
        let path = file("frame.png", data)
        check(path) { _ = try PNGCodec.decode([UInt8](data), path: path) }
        check(path) { _ = try ImageIO.read(path) }
    case .jpeg:
        let path = file("frame.jpg", data)
        check(path) { _ = try JPEGCodec.decode([UInt8](data), path: path) }
    case .tiff:
        let path = file("frame.tif", data)
        check(path) { _ = try TIFFCodec.read(path) }
        check(path) { _ = try FloatTIFF.read(path) }
        _ = ImageHeader.headerSize(path)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    run(Data(bytes: bytes, count: count))
    return 0
}

/// `mitosis-fuzz --write-seeds FOLDER` (no fuzzing): seeds made by our own writers where a real output is too
/// large to fuzz well (a step-1 archive with pixels is megabytes).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    let arguments = (0..<Int(argc.pointee)).compactMap { argv.pointee[$0].map { String(cString: $0) } }
    if arguments.count == 3, arguments[1] == "--write-seeds" {
        let folder = arguments[2] + "/patch-archive"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = UInt64(16)
        func byte() -> UInt8 { generator = generator &* 6364136223846793005 &+ 1442695040888963407; return UInt8(generator >> 56) }
        let size = 8
        var patches: [Patch] = []
        for k in 0..<3 {
            var pixels = [UInt8](repeating: 0, count: size * size * 3)
            for i in pixels.indices { pixels[i] = byte() }
            patches.append(Patch(label: UInt8(k % 2), index: UInt32(k + 1), angle: Int16(90 * k), x: UInt16(10 + k),
                                 y: UInt16(20 + k), pixels: pixels))
        }
        do {
            try PatchArchive.write(patches, size: size, to: folder + "/pixels.patches", pixels: true)
            try PatchArchive.write(patches, size: size, to: folder + "/samples.patches", pixels: false)
            // The same as archives of the earlier format (no digest), whose records mutations can reach.
            for (name, magic) in [("pixels", "MTPATCH1"), ("samples", "MTSAMPL1")] {
                var bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/\(name).patches"))
                bytes.replaceSubrange(0..<8, with: Array(magic.utf8))
                bytes.removeLast(8)
                try bytes.write(to: URL(fileURLWithPath: folder + "/\(name)-v1.patches"))
            }
        } catch {
            FileHandle.standardError.write(Data("mitosis-fuzz: \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }
    _ = target
    return 0
}
