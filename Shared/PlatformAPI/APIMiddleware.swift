import FoundationEssentials
import HTTPTypes
import OpenAPIRuntime
import PlatformCore

/// Applies the document's policy of each operation before its handler runs, so no handler
/// re-codes it: the caller is authenticated (401) and holds a declared role (403); a malformed id
/// in the path is 404 like an unknown one; a JSON body is read once and bounded (413).
public struct APIMiddleware: ServerMiddleware {
    /// The caller of the request's credentials (a bearer token, or whatever else the edge
    /// accepts), nil when it presents none; throws when they are not valid.
    public typealias Authenticate = @Sendable (_ request: HTTPRequest) async throws -> Caller?
    /// The largest JSON request body.
    public static let maximumJSONBody = 64 * 1024
    static let literalHeaders: [HTTPField.Name] = [.eTag, .cacheControl, .contentDisposition]

    private let document: APIDocument
    private let authenticate: Authenticate

    public init(document: APIDocument, authenticate: @escaping Authenticate) {
        self.document = document
        self.authenticate = authenticate
    }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let policy = document.operations[operationID] else {
            throw AppError(.internal, "operation \(operationID) is not in the API document")
        }
        // The API answers JSON whatever `Accept` says, as it always did; the generated code
        // would otherwise refuse a client that sent an unusual one.
        var request = request
        request.headerFields[.accept] = nil
        let caller = try await authorize(request, policy)
        for name in policy.idParameters {
            guard let value = metadata.pathParameters[name], UUID(uuidString: String(value)) != nil else {
                throw AppError(.notFound, policy.notFoundMessage)
            }
        }
        var nulls: Set<String> = []
        var body = body
        if policy.takesJSONBody, let bytes = try await Self.bounded(body) {
            nulls = ExplicitNulls.fields(of: bytes)
            body = HTTPBody(bytes)
        }
        var (response, responseBody) = try await ExplicitNulls.$bound.withValue(nulls) {
            guard let caller else { return try await next(request, body, metadata) }
            return try await Caller.withCaller(caller) { try await next(request, body, metadata) }
        }
        // The runtime percent-encodes string header values (RFC 6570 simple style); these carry
        // quotes, commas and spaces that clients must see as they are.
        for name in Self.literalHeaders {
            if let value = response.headerFields[name], let literal = value.percentDecoded {
                response.headerFields[name] = literal
            }
        }
        return (response, responseBody)
    }

    private func authorize(_ request: HTTPRequest, _ policy: OperationPolicy) async throws -> Caller? {
        switch policy.access {
        case .open:
            return nil
        case .optional:
            return try await authenticate(request)
        case .signedIn(let alternatives):
            guard let caller = try await authenticate(request) else {
                throw AppError(.unauthenticated, "a bearer token is required")
            }
            guard alternatives.contains(where: caller.meets) else {
                let roles = alternatives.map { $0.isEmpty ? "user accounts" : $0.sorted().joined(separator: " and ") }
                throw AppError(.permissionDenied, "this operation is for \(roles.joined(separator: " or "))")
            }
            return caller
        }
    }

    private static func bounded(_ body: HTTPBody?) async throws -> [UInt8]? {
        guard let body else { return nil }
        let tooLarge = AppError(.payloadTooLarge, "the request body is larger than \(maximumJSONBody / 1024) KiB")
        if case .known(let length) = body.length, length > maximumJSONBody { throw tooLarge }
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.count <= maximumJSONBody else { throw tooLarge }
            bytes += chunk
        }
        return bytes
    }
}

/// The top-level fields a JSON request body set to `null` (a `PATCH`'s "clear this field"),
/// which the generated types cannot tell from absent ones. Handlers ask `ExplicitNulls.contains`.
public enum ExplicitNulls {
    @TaskLocal static var bound: Set<String> = []

    public static func contains(_ field: String) -> Bool { bound.contains(field) }

    static let null = Array("null".utf8)

    static func fields(of body: [UInt8]) -> Set<String> {
        // Most bodies have no `null` at all: a byte scan spares them a second parse.
        guard body.count >= 4, body.indices.dropLast(3).contains(where: { body[$0...].starts(with: Self.null) }),
            let object = try? JSONValue(parsing: body).object
        else { return [] }
        return Set(object.filter { $0.value == .null }.keys)
    }

    /// Runs `body` as if the request had set `fields` to null (tests of handlers).
    public static func with<T>(_ fields: Set<String>, _ body: () async throws -> T) async rethrows -> T {
        try await $bound.withValue(fields, operation: body)
    }
}
