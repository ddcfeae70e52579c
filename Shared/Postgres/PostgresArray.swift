import DatabaseKit

/// Text arrays (`text[]`), sent as array literals and cast in SQL (`$1::text[]`).
extension SQLValue {
    public static func textArray(_ elements: [String]) -> SQLValue {
        let quoted = elements.map { element in
            "\"" + element.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        return .string("{" + quoted.joined(separator: ",") + "}")
    }
}

extension SQLRow {
    /// Parses Postgres' text output of a one-dimensional array: `{a,"b c",NULL}` (NULLs are dropped).
    public func textArray(_ column: String) throws -> [String]? {
        guard let text = try string(column) else { return nil }
        var chars = Array(text)
        guard chars.first == "{", chars.last == "}" else {
            throw DatabaseError(.decodingFailed, "column '\(column)' is not an array")
        }
        chars = Array(chars.dropFirst().dropLast())
        var elements: [String] = []
        var index = 0
        while index < chars.count {
            var element = ""
            if chars[index] == "\"" {
                index += 1
                while index < chars.count, chars[index] != "\"" {
                    if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                    element.append(chars[index])
                    index += 1
                }
                index += 1
                elements.append(element)
            } else {
                while index < chars.count, chars[index] != "," {
                    element.append(chars[index])
                    index += 1
                }
                if element != "NULL" { elements.append(element) }
            }
            index += 1  // the comma
        }
        return elements
    }
}
