/// Python-style `%(name)d` / `%(name)s` placeholders, as in the tutorial's `BASE-*.prototxt` files.
///
/// The tutorial's scripts fill them with Python's `%` operator (`kfoldi` = fold number, `numiter` = test
/// iterations). A text without any `%(` is returned unchanged, so ordinary prototxts never need escaping;
/// in a template, `%%` stands for a literal `%` as in Python.
public enum PrototxtTemplate {
    /// Names of the placeholders in `text`, in order of first use.
    public static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        scan(text) { name, _ in
            if !names.contains(name) { names.append(name) }
            return ""
        }
        return names
    }

    /// `text` with every placeholder replaced by its value.
    ///
    /// - Parameter path: named in errors.
    /// - Throws: `CaffeFormatError.missingSubstitution` for a placeholder without a value,
    ///   `.badSubstitution` for a non-integer value of a `%(name)d` placeholder.
    public static func substitute(_ text: String, _ values: [String: String], path: String) throws -> String {
        guard text.contains("%(") else { return text }
        var failure: CaffeFormatError?
        let result = scan(text) { name, conversion in
            guard let value = values[name] else {
                if failure == nil { failure = .missingSubstitution(path: path, name: name) }
                return ""
            }
            if conversion == "d" || conversion == "i" {
                guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                    if failure == nil { failure = .badSubstitution(path: path, name: name, value: value) }
                    return ""
                }
                return String(number)
            }
            return value
        }
        if let failure { throw failure }
        return result
    }

    /// Walks `text`, replacing each `%(name)c` with `replace(name, c)` and `%%` with `%`.
    @discardableResult
    private static func scan(_ text: String, _ replace: (String, Character) -> String) -> String {
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            let next = text.index(after: index)
            guard char == "%", next < text.endIndex else {
                out.append(char)
                index = next
                continue
            }
            if text[next] == "%" {
                out.append("%")
                index = text.index(after: next)
            } else if text[next] == "(", let close = text[next...].firstIndex(of: ")"),
                      text.index(after: close) < text.endIndex {
                let name = String(text[text.index(after: next)..<close])
                let conversion = text[text.index(after: close)]
                out += replace(name, conversion)
                index = text.index(after: text.index(after: close))
            } else {
                out.append(char)
                index = next
            }
        }
        return out
    }
}

import Foundation
