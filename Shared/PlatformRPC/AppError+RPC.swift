import GRPCCore
import PlatformCore

extension AppError: RPCErrorConvertible {
    public var rpcErrorCode: RPCError.Code { code.rpcCode }
    public var rpcErrorMessage: String { message }

    /// Field details travel as `x-error-detail-<field>` metadata so the gateway can rebuild them.
    public var rpcErrorMetadata: Metadata {
        var metadata = Metadata()
        for (field, problem) in details.sorted(by: { $0.key < $1.key }) {
            metadata.addString(problem, forKey: AppError.detailPrefix + field.lowercased())
        }
        return metadata
    }

    static let detailPrefix = "x-error-detail-"

    /// Rebuilds the domain error from a status received from another service.
    public init(_ error: RPCError) {
        var details: [String: String] = [:]
        for (key, value) in error.metadata where key.hasPrefix(AppError.detailPrefix) {
            if case .string(let problem) = value { details[String(key.dropFirst(AppError.detailPrefix.count))] = problem }
        }
        let code = AppError.Code(rpcCode: error.code)
        // An internal failure's message stays in the service that had it.
        let message = code == .internal ? "internal error" : error.message
        self.init(code, message, details: details)
    }
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
