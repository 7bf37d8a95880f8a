// Checks our databases against Python's independent readers, using scripts/fixtures/check_store_interop.py.
import Foundation
import MitosisStore
import Testing

/// The package root, found from this file's path.
private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let interopScript = packageRoot.appendingPathComponent("scripts/fixtures/check_store_interop.py")

/// Runs python3 with `arguments`; returns the exit status and standard output.
private func python(_ arguments: [String]) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return (-1, "") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

private let pythonBindingsAvailable = python(["-c", "import lmdb, plyvel"]).status == 0

@Suite("Interoperability with Python's lmdb and plyvel")
struct InteropTests {
    @Test("StoreDigest has FNV-1a 64's known values")
    func digestKnownAnswer() {
        // FNV-1a 64 of no bytes is the offset basis; with framing, an empty record hashes 16 zero bytes.
        #expect(StoreDigest().hex == "cbf29ce484222325")
        var digest = StoreDigest()
        digest.add(key: [], value: [])
        var expected: UInt64 = 0xcbf2_9ce4_8422_2325
        for _ in 0..<16 { expected = (expected ^ 0) &* 0x100_0000_01b3 }
        #expect(digest.value == expected && digest.count == 1)
    }

    @Test("the Python script reads the same records", .enabled(if: pythonBindingsAvailable),
          arguments: StoreBackend.allCases)
    func pythonReadsOurDatabase(backend: StoreBackend) throws {
        try withTemporaryDirectory { directory in
            let url = directory.path("db")
            let records = randomRecords(300, seed: 99, maxValue: 3083)
            try build(url, backend: backend, records: records, batch: 128)
            let store = try openStore(at: url, backend: backend, access: .readOnly)
            let digest = try StoreDigest.of(store)
            store.close()

            let result = python([interopScript.path, url.path, "--backend", backend.name, "--expect-count", "300"])
            #expect(result.status == 0)
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.contains("count: 300"))
            #expect(lines.contains("fnv1a64: \(digest.hex)"))
            #expect(lines.contains("key[0]: \(keyOrder(records)[0].keyString)"))
        }
    }
}
