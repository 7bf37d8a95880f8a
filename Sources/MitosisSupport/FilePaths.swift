import Foundation

/// The one rule for paths that mitosis writes into its own files (net and solver prototxts, manifests,
/// printed follow-up commands):
///
/// 1. A path the user gives is resolved against the working folder once, where it enters the library
///    (`absolute(_:)`), so nothing downstream depends on the folder the command was started from.
/// 2. A path written into a file is written relative to that file's folder when both lie in the same
///    output tree (`relative(_:from:)`), exactly as Caffe resolves a solver's and a net's relative paths
///    against the solver's folder. An output folder can then be moved or copied and still works.
/// 3. A path outside that tree (a dataset, a model the user supplied) is written absolute.
public enum FilePaths {
    /// `path` made absolute against the current working folder (or `base`), with `.` and `..` removed.
    /// `~` is not expanded: the shell does that.
    public static func absolute(_ path: String, base: String? = nil) -> String {
        let joined: String
        if path.hasPrefix("/") {
            joined = path
        } else {
            let root = base ?? FileManager.default.currentDirectoryPath
            joined = path.isEmpty ? root : root + "/" + path
        }
        return normalized(joined)
    }

    /// `path` without empty, `.` and `..` components (purely lexical: symbolic links are not resolved, so
    /// `a/link/..` stays inside `a` as a user reading the path expects).
    public static func normalized(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", isAbsolute {
                continue   // "/.." is "/"
            } else {
                parts.append(part)
            }
        }
        let body = parts.joined(separator: "/")
        if isAbsolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// `target` written relative to the folder `folder` (both resolved with `absolute(_:)` first), e.g.
    /// `relative("/o/round1/db/DB_train_1", from: "/o/round1/fold_1")` is `../db/DB_train_1`.
    /// - Parameter within: the tree both must share for a relative answer (default: the filesystem root);
    ///   a target outside it is returned absolute (rule 3 above).
    public static func relative(_ target: String, from folder: String, within root: String = "/") -> String {
        let t = absolute(target), f = absolute(folder), r = absolute(root)
        guard isInside(t, r), isInside(f, r) else { return t }
        let tp = t.split(separator: "/"), fp = f.split(separator: "/")
        var common = 0
        while common < tp.count, common < fp.count, tp[common] == fp[common] { common += 1 }
        let ups = Array(repeating: "..", count: fp.count - common)
        let rest = tp[common...].map(String.init)
        let parts = ups + rest
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Whether `path` is `folder` or lies below it (lexically, after `absolute(_:)`).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        let p = absolute(path), f = absolute(folder)
        return f == "/" || p == f || p.hasPrefix(f + "/")
    }

    /// `path` quoted for a POSIX shell when it needs it, so a printed command can be pasted as it is.
    public static func shellQuoted(_ path: String) -> String {
        let plain = !path.isEmpty && path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=,:@%".contains($0) }
        return plain ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
