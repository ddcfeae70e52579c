import FoundationEssentials
import GRPCCore
import PlatformCore

/// Metadata keys that carry `RequestScope` between services.
public enum RequestMetadataKeys {
    public static let requestID = "x-request-id"
    public static let authorization = "authorization"
}

/// Forwards the current request id and caller token to the called service.
public struct RequestMetadataClientInterceptor: ClientInterceptor {
    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        var request = request
        if let requestID = RequestScope.requestID, request.metadata[stringValues: RequestMetadataKeys.requestID].first(where: { _ in true }) == nil {
            request.metadata.addString(requestID, forKey: RequestMetadataKeys.requestID)
        }
        if let authorization = RequestScope.authorization,
            request.metadata[stringValues: RequestMetadataKeys.authorization].first(where: { _ in true }) == nil
        {
            request.metadata.addString(authorization, forKey: RequestMetadataKeys.authorization)
        }
        return try await next(request, context)
    }
}

/// Binds `RequestScope` for the handler from the caller's metadata (or a fresh request id).
public struct RequestMetadataServerInterceptor: ServerInterceptor {
    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let supplied = request.metadata[stringValues: RequestMetadataKeys.requestID].first { _ in true }
        let requestID = supplied.flatMap { RequestScope.isAcceptableRequestID($0) ? $0 : nil } ?? RequestScope.newRequestID()
        let authorization = request.metadata[stringValues: RequestMetadataKeys.authorization].first { _ in true }
        return try await RequestScope.$requestID.withValue(requestID) {
            try await RequestScope.$authorization.withValue(authorization) {
                try await next(request, context)
            }
        }
    }
}
