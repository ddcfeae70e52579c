/// The error domain code throws. Transports map it one way everywhere:
/// gRPC status codes at the RPC edge, HTTP status and a JSON body at the REST edge.
public struct AppError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidArgument = "invalid_argument"
        case unauthenticated
        case permissionDenied = "permission_denied"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case failedPrecondition = "failed_precondition"
        case resourceExhausted = "resource_exhausted"
        case payloadTooLarge = "payload_too_large"
        case headersTooLarge = "headers_too_large"
        case methodNotAllowed = "method_not_allowed"
        case unsupportedMediaType = "unsupported_media_type"
        case unavailable
        case deadlineExceeded = "deadline_exceeded"
        case `internal`
    }

    public let code: Code
    /// Safe to show to a client: never internal details.
    public let message: String
    /// Per-field problems for `invalidArgument`, e.g. `["email": "must be a valid address"]`.
    public let details: [String: String]
    /// For `resourceExhausted` and `unavailable`: when trying again makes sense.
    public let retryAfterSeconds: Int?

    public init(_ code: Code, _ message: String, details: [String: String] = [:], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The HTTP status a REST client sees.
    public var httpStatus: Int { code.httpStatus }
}

extension AppError.Code {
    public var httpStatus: Int {
        switch self {
        case .invalidArgument: 422
        case .unauthenticated: 401
        case .permissionDenied: 403
        case .notFound: 404
        case .alreadyExists, .failedPrecondition: 409
        case .resourceExhausted: 429
        case .payloadTooLarge: 413
        case .headersTooLarge: 431
        case .methodNotAllowed: 405
        case .unsupportedMediaType: 415
        case .unavailable: 503
        case .deadlineExceeded: 504
        case .internal: 500
        }
    }

    /// The inverse of `httpStatus`, for errors that arrive as HTTP statuses.
    public init(httpStatus: Int) {
        switch httpStatus {
        case 400, 422: self = .invalidArgument
        case 401: self = .unauthenticated
        case 403: self = .permissionDenied
        case 404: self = .notFound
        case 409: self = .alreadyExists
        case 429: self = .resourceExhausted
        case 413: self = .payloadTooLarge
        case 431: self = .headersTooLarge
        case 405: self = .methodNotAllowed
        case 415: self = .unsupportedMediaType
        case 503: self = .unavailable
        case 504: self = .deadlineExceeded
        default: self = .internal
        }
    }
}
