import GRPCCore
import GRPCProtobuf
import PlatformCore

extension AppError: RPCErrorConvertible {
    public var rpcErrorCode: RPCError.Code { code.rpcCode }
    public var rpcErrorMessage: String { message }

    /// Field problems and the retry delay travel the standard gRPC way, as `google.rpc.Status`
    /// details (`BadRequest`, `RetryInfo`) in `grpc-status-details-bin`, so any client can read them.
    public var rpcErrorMetadata: Metadata { googleRPCStatus.rpcErrorMetadata }

    var googleRPCStatus: GoogleRPCStatus {
        var details: [ErrorDetails] = []
        if !self.details.isEmpty {
            details.append(
                .badRequest(
                    violations: self.details.sorted { $0.key < $1.key }.map { .init(field: $0.key, description: $0.value) }))
        }
        if let retryAfterSeconds { details.append(.retryInfo(delay: .seconds(retryAfterSeconds))) }
        if code.rpcCode.isLossy(for: code) {
            // A code gRPC has no status for (413, 415 at the edge) travels as an ErrorInfo reason.
            details.append(.errorInfo(reason: code.rawValue, domain: AppError.errorDomain))
        }
        return GoogleRPCStatus(code: code.rpcCode, message: message, details: details)
    }

    /// Rebuilds the domain error from a status received from another service.
    public init(_ error: RPCError) {
        let status = try? error.unpackGoogleRPCStatus()
        var details: [String: String] = [:]
        var retryAfterSeconds: Int?
        var code = AppError.Code(rpcCode: error.code)
        for detail in status?.details ?? [] {
            if let info = detail.errorInfo, info.domain == AppError.errorDomain, let original = AppError.Code(rawValue: info.reason) {
                code = original
            }
            if let badRequest = detail.badRequest {
                for violation in badRequest.violations { details[violation.field] = violation.violationDescription }
            }
            if let retry = detail.retryInfo { retryAfterSeconds = Int(retry.delay.components.seconds) }
        }
        let message: String
        switch code {
        case .internal:
            // An internal failure's message stays in the service that had it.
            message = "internal error"
        case .unavailable where status == nil, .deadlineExceeded where status == nil:
            // Not a service's answer but the transport's (no connection, or none ready within the
            // deadline while the peer restarts; no answer in time): the peer is unavailable, and
            // the transport's message names addresses and channel states.
            code = .unavailable
            message = "a service this request needs is not answering; try again"
        default:
            message = error.message
        }
        self.init(code, message, details: details, retryAfterSeconds: retryAfterSeconds)
    }
}

extension AppError {
    /// The `ErrorInfo.domain` of the platform's own codes.
    static let errorDomain = "platform"
}

extension RPCError.Code {
    /// Whether `code` comes back as another code from this status alone.
    func isLossy(for code: AppError.Code) -> Bool { AppError.Code(rpcCode: self) != code }
}

extension AppError.Code {
    public var rpcCode: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .failedPrecondition: .failedPrecondition
        case .resourceExhausted: .resourceExhausted
        // Transport-level refusals of the REST edge; between services they are bad arguments.
        case .payloadTooLarge, .headersTooLarge, .methodNotAllowed, .unsupportedMediaType: .invalidArgument
        case .unavailable: .unavailable
        case .deadlineExceeded: .deadlineExceeded
        case .internal: .internalError
        }
    }

    public init(rpcCode: RPCError.Code) {
        switch rpcCode {
        case .invalidArgument, .outOfRange: self = .invalidArgument
        case .unauthenticated: self = .unauthenticated
        case .permissionDenied: self = .permissionDenied
        case .notFound: self = .notFound
        case .alreadyExists, .aborted: self = .alreadyExists
        case .failedPrecondition: self = .failedPrecondition
        case .resourceExhausted: self = .resourceExhausted
        case .unavailable: self = .unavailable
        case .deadlineExceeded: self = .deadlineExceeded
        default: self = .internal
        }
    }
}

extension AppError {
    /// Runs a call to another service and turns a failure status into the domain error (an
    /// unreachable service becomes `unavailable`).
    public static func mappingRPCErrors<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as RPCError {
            throw AppError(error)
        }
    }
}
