import FoundationEssentials
import PlatformCore

/// What the gateway enforces for each operation, read from its OpenAPI document (the one source
/// of the REST contract): who may call it (the `security` requirement, with OpenAPI 3.1 role
/// names), which path parameters are ids, whether it takes a JSON body, and which statuses it
/// may answer with.
public struct OperationPolicy: Sendable, Equatable {
    public enum Access: Sendable, Equatable {
        /// `security: []`.
        case open
        /// Any one of the alternatives, each a set of roles the caller must all hold (empty: any
        /// user account). A café terminal meets only an alternative that names `terminal`.
        case signedIn(anyOf: [Set<String>])
        /// `{}` among the alternatives: a caller without a token is anonymous; a token, when sent,
        /// must be valid.
        case optional
    }

    public let operationID: String
    /// Upper-case HTTP method.
    public let method: String
    /// The templated path, e.g. `/api/admin/users/{id}`.
    public let path: String
    public let access: Access
    /// Path parameters declared as UUIDs: a malformed one is answered 404 like an unknown one.
    public let idParameters: [String]
    public let takesJSONBody: Bool
    public let statuses: Set<Int>

    /// The 404 message for this path, e.g. "no such user" for `/api/admin/users/{id}`.
    public var notFoundMessage: String {
        let noun = path.split(separator: "/").last { !$0.hasPrefix("{") }.map(String.init) ?? "object"
        let singular = noun.hasSuffix("ies") ? noun.dropLast(3) + "y" : noun.hasSuffix("s") ? String(noun.dropLast()) : noun
        return "no such \(singular)"
    }
}

/// The operations of an OpenAPI 3.1 document (JSON), keyed by `operationId`.
public struct APIDocument: Sendable {
    public let operations: [String: OperationPolicy]

    public init(json data: Data) throws {
        let root = try JSONValue(parsing: data)
        guard let paths = root["paths"]?.object else { throw APIDocumentError("the document has no paths") }
        let components = root["components"]?.object ?? [:]
        let defaultSecurity = Self.security(root["security"]) ?? []
        var operations: [String: OperationPolicy] = [:]
        for (path, item) in paths {
            let shared = item["parameters"]?.array ?? []
            for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
                guard let operation = item[method] else { continue }
                guard let id = operation["operationId"]?.string else {
                    throw APIDocumentError("\(method.uppercased()) \(path) has no operationId")
                }
                let security = Self.security(operation["security"]) ?? defaultSecurity
                let parameters = try (shared + (operation["parameters"]?.array ?? [])).map {
                    try Self.resolve($0, in: components)
                }
                let idParameters = parameters.compactMap { parameter -> String? in
                    guard parameter["in"]?.string == "path", let name = parameter["name"]?.string,
                        let schema = try? Self.resolve(parameter["schema"] ?? .object([:]), in: components),
                        schema["format"]?.string == "uuid"
                    else { return nil }
                    return name
                }
                let body = operation["requestBody"].flatMap { try? Self.resolve($0, in: components) }
                let content = body?["content"]?.object ?? [:]
                let statuses = (operation["responses"]?.object ?? [:]).keys.compactMap { Int($0) }
                guard operations[id] == nil else { throw APIDocumentError("operationId \(id) is used twice") }
                operations[id] = OperationPolicy(
                    operationID: id, method: method.uppercased(), path: path,
                    access: security.isEmpty
                        ? .open
                        : security.contains { $0.isEmpty } ? .optional : .signedIn(anyOf: security.map { Set($0.values.joined()) }),
                    idParameters: idParameters.sorted(), takesJSONBody: content["application/json"] != nil,
                    statuses: Set(statuses))
            }
        }
        self.operations = operations
    }

    /// A security requirement list: `[{scheme: [role, …]}, …]`.
    static func security(_ value: JSONValue?) -> [[String: [String]]]? {
        value?.array?.map { requirement in
            (requirement.object ?? [:]).mapValues { roles in roles.array?.compactMap(\.string) ?? [] }
        }
    }

    /// Follows a local `$ref` (`#/components/...`).
    static func resolve(_ value: JSONValue, in components: [String: JSONValue]) throws -> JSONValue {
        guard value.object != nil else { throw APIDocumentError("expected an object") }
        guard let reference = value["$ref"]?.string else { return value }
        let parts = reference.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[0] == "#", parts[1] == "components",
            let target = components[parts[2]]?[parts[3]]
        else { throw APIDocumentError("cannot resolve \(reference)") }
        return try resolve(target, in: components)
    }
}

public struct APIDocumentError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
