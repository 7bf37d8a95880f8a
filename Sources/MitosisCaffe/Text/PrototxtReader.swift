import Foundation
import SwiftProtobuf

/// Reads protobuf text format (`.prototxt`) into Caffe's messages, after template substitution.
///
/// swift-protobuf reports what went wrong but not where; on failure the reader re-parses growing prefixes
/// of the text, line by line (closing the messages still open), to find the first line that breaks it.
public enum PrototxtReader {
    /// Parses a file's text, filling `%(name)d` / `%(name)s` placeholders from `substitutions`.
    public static func read<M: SwiftProtobuf.Message>(
        _ type: M.Type, contentsOf url: URL, substitutions: [String: String] = [:]
    ) throws -> M {
        let data = try CaffeFiles.read(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw CaffeFormatError.textSyntax(path: url.path, line: nil, reason: "the file is not UTF-8 text")
        }
        return try parse(type, text: text, path: url.path, substitutions: substitutions)
    }

    /// Parses prototxt `text`; `path` is only used in errors.
    public static func parse<M: SwiftProtobuf.Message>(
        _ type: M.Type, text: String, path: String, substitutions: [String: String] = [:]
    ) throws -> M {
        let filled = try PrototxtTemplate.substitute(text, substitutions, path: path)
        do {
            return try M(textFormatString: filled)
        } catch let error as TextFormatDecodingError {
            throw CaffeFormatError.textSyntax(
                path: path, line: firstFailingLine(M.self, filled), reason: describe(error))
        } catch {
            throw CaffeFormatError.textSyntax(path: path, line: nil, reason: "\(error)")
        }
    }

    /// The 1-based line at which the parse error first shows: the shortest prefix of whole lines that fails
    /// to parse once its still-open messages are closed.
    static func firstFailingLine<M: SwiftProtobuf.Message>(_ type: M.Type, _ text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var prefix = ""
        var depth = 0
        for (number, line) in lines.enumerated() {
            prefix += line
            prefix += "\n"
            depth += openBraces(in: line)
            if depth < 0 { return number + 1 }
            do {
                _ = try M(textFormatString: prefix + String(repeating: "}\n", count: depth))
            } catch {
                return number + 1
            }
        }
        return nil
    }

    /// `{` minus `}` on one line, outside strings and `#` comments.
    private static func openBraces(in line: Substring) -> Int {
        var count = 0
        var quote: Character?
        var escaped = false
        for char in line {
            if let open = quote {
                if escaped { escaped = false } else if char == "\\" { escaped = true } else if char == open { quote = nil }
                continue
            }
            switch char {
            case "\"", "'": quote = char
            case "#": return count
            case "{", "<": count += 1
            case "}", ">": count -= 1
            default: break
            }
        }
        return count
    }

    private static func describe(_ error: TextFormatDecodingError) -> String {
        switch error {
        case .unknownField: return "unknown field name"
        case .unrecognizedEnumValue: return "unknown enum value"
        case .malformedNumber: return "malformed number"
        case .malformedText: return "malformed text"
        case .truncated: return "unexpected end of file (unbalanced braces?)"
        case .trailingGarbage: return "unexpected text after the end"
        case .invalidUTF8: return "invalid UTF-8"
        case .schemaMismatch: return "value does not match the field's type"
        default: return "\(error)"
        }
    }
}
