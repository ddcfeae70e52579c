import FoundationEssentials
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import X509

/// Sends this service's token with every call (`ServiceTokens`), made anew a minute before expiry.
public final class ServiceTokenClientInterceptor: ClientInterceptor, Sendable {
    private let tokens: ServiceTokens
    private let current = Mutex<(token: String, renewAt: Date)?>(nil)

    public init(tokens: ServiceTokens) { self.tokens = tokens }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        var request = request
        request.metadata.replaceOrAddString(token(), forKey: ServiceTokens.metadataKey)
        return try await next(request, context)
    }

    private func token(now: Date = Date()) -> String {
        current.withLock { current in
            if let current, now < current.renewAt { return current.token }
            let token = tokens.token(now: now)
            current = (token, now.addingTimeInterval(TimeInterval(tokens.lifetime.components.seconds - 60)))
            return token
        }
    }
}

/// Lets only the platform's services that may call this one in: the caller is the name in its
/// client certificate (mTLS, signed by the platform's CA: the handshake checked that) or in a
/// valid service token; no name → UNAUTHENTICATED, a name not allowed → PERMISSION_DENIED. The
/// gRPC health service stays open to probes.
public struct ServiceTrustServerInterceptor: ServerInterceptor {
    private let tokens: ServiceTokens?
    private let allowedCallers: Set<String>
    private let service: String

    /// - Parameters:
    ///   - tokens: checks tokens (nil: only certificates name callers).
    ///   - allowedCallers: who may call this service's RPCs.
    public init(service: String, tokens: ServiceTokens?, allowedCallers: Set<String>) {
        self.service = service
        self.tokens = tokens
        self.allowedCallers = allowedCallers
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        if context.isHealthCheck { return try await next(request, context) }
        guard let caller = caller(request.metadata, context) else {
            throw RPCError(code: .unauthenticated, message: "\(service) answers the platform's services only")
        }
        guard allowedCallers.contains(caller) else {
            throw RPCError(code: .permissionDenied, message: "\(caller) may not call \(service)")
        }
        return try await next(request, context)
    }

    private func caller(_ metadata: Metadata, _ context: ServerContext) -> String? {
        if let certificate = (context.transportSpecific as? HTTP2ServerTransport.Posix.Context)?.peerCertificate {
            return Self.serviceName(of: certificate)
        }
        guard let tokens, let token = metadata[stringValues: ServiceTokens.metadataKey].first(where: { _ in true }) else {
            return nil
        }
        return tokens.caller(of: token)
    }

    /// The service a platform certificate names: its first DNS name (`scripts/service-certificates`
    /// issues `DNS:<service>`).
    static func serviceName(of certificate: Certificate) -> String? {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
        for name in names {
            if case .dnsName(let dns) = name { return dns }
        }
        return nil
    }
}
