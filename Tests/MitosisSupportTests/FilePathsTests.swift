import Foundation
import Testing
import MitosisSupport

@Suite struct FilePathsTests {
    @Test func absoluteResolvesAgainstTheBaseAndRemovesDots() {
        #expect(FilePaths.absolute("out", base: "/home/u") == "/home/u/out")
        #expect(FilePaths.absolute("./a/../b/./c/", base: "/w") == "/w/b/c")
        #expect(FilePaths.absolute("../x", base: "/w/y") == "/w/x")
        #expect(FilePaths.absolute("/abs/./p", base: "/w") == "/abs/p")
        #expect(FilePaths.absolute("", base: "/w") == "/w")
        #expect(FilePaths.absolute("/../..") == "/")
        #expect(FilePaths.absolute("d out/run", base: "/t") == "/t/d out/run")
    }

    @Test func absoluteDefaultsToTheWorkingFolder() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(FilePaths.absolute("x") == FilePaths.normalized(cwd + "/x"))
    }

    @Test func relativeWalksUpToTheCommonFolder() {
        #expect(FilePaths.relative("/o/round1/db/DB_train_1", from: "/o/round1/fold_1") == "../db/DB_train_1")
        #expect(FilePaths.relative("/o/round2/fold_1/db/DB_train_1", from: "/o/round2/fold_1") == "db/DB_train_1")
        #expect(FilePaths.relative("/o/round1/db/DB_test_1", from: "/o/round2/fold_1") == "../../round1/db/DB_test_1")
        #expect(FilePaths.relative("/o", from: "/o") == ".")
        #expect(FilePaths.relative("/o/a b/c", from: "/o/x y") == "../a b/c")
        // Same-prefix names are different folders.
        #expect(FilePaths.relative("/o/ab/c", from: "/o/a") == "../ab/c")
    }

    @Test func relativeResolvesBackToTheTarget() {
        let cases = [("/o/round1/db/DB_train_1", "/o/round1/fold_1"), ("/a/b/c", "/a/b/c/d/e"), ("/x", "/y/z"), ("/p/q", "/p/q")]
        for (target, folder) in cases {
            #expect(FilePaths.absolute(FilePaths.relative(target, from: folder), base: folder) == target)
        }
    }

    @Test func aTargetOutsideTheTreeStaysAbsolute() {
        #expect(FilePaths.relative("/data/cohort", from: "/o/round1", within: "/o") == "/data/cohort")
        #expect(FilePaths.relative("/o/round1/db", from: "/o/round2", within: "/o") == "../round1/db")
    }

    @Test func insideIsByComponentNotByPrefix() {
        #expect(FilePaths.isInside("/o/a", "/o"))
        #expect(FilePaths.isInside("/o", "/o"))
        #expect(!FilePaths.isInside("/other", "/o"))
        #expect(FilePaths.isInside("/anything", "/"))
    }

    @Test func shellQuotingKeepsPlainPathsAndQuotesTheRest() {
        #expect(FilePaths.shellQuoted("/o/round2/solver.prototxt") == "/o/round2/solver.prototxt")
        #expect(FilePaths.shellQuoted("/o/d out/s.prototxt") == "'/o/d out/s.prototxt'")
        #expect(FilePaths.shellQuoted("it's") == "'it'\\''s'")
        #expect(FilePaths.shellQuoted("") == "''")
    }
}
