import Foundation

/// Runs the built `mitosis` binary: the one `MITOSIS_TEST_BINARY` names (scripts/test.sh sets it to the release
/// build users run, whose image and detection code is many times faster than the debug build's), else the one
/// beside the test bundle in the build folder.
enum CLI {
    static let binary: URL = {
        if let named = ProcessInfo.processInfo.environment["MITOSIS_TEST_BINARY"], !named.isEmpty {
            precondition(FileManager.default.isExecutableFile(atPath: named), "MITOSIS_TEST_BINARY=\(named) is not an executable file")
            return URL(fileURLWithPath: named)
        }
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bin, bin.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("mitosis")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/mitosis")
    }()

    /// The shared data beside the checkout (`../shared`, never copied): the tutorial author's models and
    /// the real frames, and whether both are there.
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared").path
    static let author = shared + "/reference/janowczyk-2016"
    static let frames = shared + "/real/mitos-atypia-14-H"
    static let sharedAvailable = FileManager.default.fileExists(atPath: author) && FileManager.default.fileExists(atPath: frames)

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `mitosis args...` and waits; in the working folder `cwd` if given (relative paths are then
    /// taken from there, as a user's would be), with `environment` added to this process's.
    @discardableResult
    static func run(_ args: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try execute(binary, args, cwd: cwd, environment: environment)
    }

    /// Runs a program and waits for it to exit. Its output goes to files, not pipes: a pipe is read until
    /// every holder of its write end has closed it, and a child that another test started at the same
    /// moment (or a daemon) can inherit it, so reading a pipe to its end could wait for that process too.
    static func execute(_ program: URL, _ args: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = args
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-cli-output-\(UUID().uuidString)").path
        let paths = [base + ".out", base + ".err"]
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        for p in paths { FileManager.default.createFile(atPath: p, contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: paths[0]))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: paths[1]))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close(); try err.close()
        let text = { (p: String) in String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self) }
        return Result(status: process.terminationStatus, stdout: text(paths[0]), stderr: text(paths[1]))
    }

    static func temporaryFolder(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mitosis-cli-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// Runs a system command (mount, umount) and returns its exit status.
@discardableResult
func system(_ tool: String, _ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}
