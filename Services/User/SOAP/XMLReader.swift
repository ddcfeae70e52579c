import FoundationEssentials
import PlatformCore

/// An element of a parsed XML document: namespace-resolved name, attributes, children and text.
public struct XMLNode: Sendable, Equatable {
    public var namespace: String?
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLNode]
    /// The element's own character data (text and CDATA), concatenated.
    public var text: String

    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
}

/// A small, strict XML reader for SOAP requests. It refuses what XML attacks are built of: any
/// document type declaration (so no entity can be defined or expanded and no external resource
/// read), processing instructions other than the XML declaration, and entity references other
/// than the five predefined ones and character references. Input is bounded by the caller.
public enum XMLReader {
    public struct Refused: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func parse(_ bytes: [UInt8]) throws(Refused) -> XMLNode {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Refused(reason: "the document is not UTF-8") }
        var parser = Parser(Array(text.unicodeScalars))
        return try parser.document()
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        /// In-scope namespace bindings, innermost last.
        var scopes: [[String: String]] = [["xml": "http://www.w3.org/XML/1998/namespace"]]
        static let maximumDepth = 64

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func document() throws(Refused) -> XMLNode {
            if scalars.first == "\u{FEFF}" { index = 1 }
            // The XML declaration, only first and only as itself (not `<?xml-stylesheet`).
            if starts(with: "<?xml ") { try skip(past: "?>") }
            var root: XMLNode?
            while true {
                skipWhitespace()
                guard index < scalars.count else { break }
                if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<!") {
                    throw Refused(reason: "document type declarations are not accepted")
                } else if starts(with: "<?") {
                    throw Refused(reason: "processing instructions are not accepted")
                } else if starts(with: "<") && root == nil {
                    root = try element(depth: 0)
                } else {
                    throw Refused(reason: "content after the document element")
                }
            }
            guard let root else { throw Refused(reason: "the document has no element") }
            return root
        }

        mutating func element(depth: Int) throws(Refused) -> XMLNode {
            guard depth < Self.maximumDepth else { throw Refused(reason: "elements nest too deeply") }
            index += 1  // <
            let qualified = try name()
            var rawAttributes: [(String, String)] = []
            var bindings: [String: String] = [:]
            var selfClosing = false
            while true {
                skipWhitespace()
                guard index < scalars.count else { throw Refused(reason: "an element is not closed") }
                if starts(with: "/>") {
                    index += 2
                    selfClosing = true
                    break
                }
                if scalars[index] == ">" {
                    index += 1
                    break
                }
                let attribute = try name()
                skipWhitespace()
                guard index < scalars.count, scalars[index] == "=" else { throw Refused(reason: "an attribute has no value") }
                index += 1
                skipWhitespace()
                let value = try quoted()
                if attribute == "xmlns" {
                    bindings[""] = value
                } else if attribute.hasPrefix("xmlns:") {
                    bindings[String(attribute.dropFirst(6))] = value
                } else {
                    rawAttributes.append((attribute, value))
                }
            }
            scopes.append(bindings)
            defer { scopes.removeLast() }
            var node = XMLNode(
                namespace: resolve(prefix(of: qualified)), name: local(qualified),
                attributes: Dictionary(rawAttributes.map { (local($0.0), $0.1) }, uniquingKeysWith: { first, _ in first }),
                children: [], text: "")
            if selfClosing { return node }
            while true {
                guard index < scalars.count else { throw Refused(reason: "<\(qualified)> is not closed") }
                if starts(with: "</") {
                    index += 2
                    let closing = try name()
                    skipWhitespace()
                    guard closing == qualified, index < scalars.count, scalars[index] == ">" else {
                        throw Refused(reason: "</\(closing)> does not close <\(qualified)>")
                    }
                    index += 1
                    return node
                } else if starts(with: "<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>")
                    node.text += String(String.UnicodeScalarView(scalars[start..<(index - 3)]))
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<!") {
                    throw Refused(reason: "document type declarations are not accepted")
                } else if starts(with: "<?") {
                    throw Refused(reason: "processing instructions are not accepted")
                } else if scalars[index] == "<" {
                    node.children.append(try element(depth: depth + 1))
                } else {
                    node.text += try characters()
                }
            }
        }

        /// Character data up to the next markup, references replaced.
        mutating func characters() throws(Refused) -> String {
            var out = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "<" {
                if scalars[index] == "&" {
                    out.append(contentsOf: try reference().unicodeScalars)
                } else {
                    out.append(scalars[index])
                    index += 1
                }
            }
            return String(out)
        }

        mutating func quoted() throws(Refused) -> String {
            guard index < scalars.count, scalars[index] == "\"" || scalars[index] == "'" else {
                throw Refused(reason: "an attribute value is not quoted")
            }
            let quote = scalars[index]
            index += 1
            var out = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != quote {
                if scalars[index] == "<" { throw Refused(reason: "'<' in an attribute value") }
                if scalars[index] == "&" {
                    out.append(contentsOf: try reference().unicodeScalars)
                } else {
                    out.append(scalars[index])
                    index += 1
                }
            }
            guard index < scalars.count else { throw Refused(reason: "an attribute value is not closed") }
            index += 1
            return String(out)
        }

        /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#…;`/`&#x…;`; any other entity is refused.
        mutating func reference() throws(Refused) -> String {
            guard let end = scalars[index...].prefix(16).firstIndex(of: ";") else {
                throw Refused(reason: "a bare '&' in the text")
            }
            let body = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            index = end + 1
            switch body {
            case "lt": return "<"
            case "gt": return ">"
            case "amp": return "&"
            case "quot": return "\""
            case "apos": return "'"
            default:
                let number: UInt32? =
                    body.hasPrefix("#x") ? UInt32(body.dropFirst(2), radix: 16) : body.hasPrefix("#") ? UInt32(body.dropFirst(), radix: 10) : nil
                guard let number, let scalar = Unicode.Scalar(number), scalar != "\0" else {
                    throw Refused(reason: "the entity &\(body.prefix(12)); is not accepted")
                }
                return String(scalar)
            }
        }

        mutating func name() throws(Refused) -> String {
            let start = index
            while index < scalars.count, !" \t\r\n/>=".unicodeScalars.contains(scalars[index]) { index += 1 }
            guard index > start else { throw Refused(reason: "a name is missing") }
            return String(String.UnicodeScalarView(scalars[start..<index]))
        }

        func prefix(of qualified: String) -> String {
            qualified.split(separator: ":", maxSplits: 1).count == 2 ? String(qualified.split(separator: ":")[0]) : ""
        }

        func local(_ qualified: String) -> String {
            qualified.split(separator: ":", maxSplits: 1).last.map(String.init) ?? qualified
        }

        func resolve(_ prefix: String) -> String? {
            for scope in scopes.reversed() { if let uri = scope[prefix] { return uri } }
            return nil
        }

        func starts(with literal: String) -> Bool {
            let needle = Array(literal.unicodeScalars)
            return index + needle.count <= scalars.count && Array(scalars[index..<(index + needle.count)]) == needle
        }

        mutating func skip(past literal: String) throws(Refused) {
            let needle = Array(literal.unicodeScalars)
            while index + needle.count <= scalars.count {
                if Array(scalars[index..<(index + needle.count)]) == needle {
                    index += needle.count
                    return
                }
                index += 1
            }
            throw Refused(reason: "'\(literal)' is missing")
        }

        mutating func skipWhitespace() {
            while index < scalars.count, " \t\r\n".unicodeScalars.contains(scalars[index]) { index += 1 }
        }
    }
}

extension String {
    /// The text escaped for XML character data and attribute values.
    public var xmlEscaped: String {
        var out = ""
        for character in self {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
