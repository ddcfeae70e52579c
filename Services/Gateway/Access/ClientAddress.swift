import HTTPTypes
import Hummingbird
import NIOCore
import PlatformConfig
import PlatformCore
import PlatformHTTP

/// Who the client is: the TCP peer, or, when the peer is a trusted proxy
/// (`GATEWAY_TRUSTED_PROXIES`, IPv4 CIDRs), the nearest untrusted address in `X-Forwarded-For`.
public struct ClientAddressResolver: Sendable {
    struct IPv4Range: Sendable {
        let network: UInt32
        let mask: UInt32

        init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard let first = parts.first, parts.count <= 2, let address = Self.parse(String(first)) else { return nil }
            let bits = parts.count > 1 ? Int(parts[1]) ?? -1 : 32
            guard (0...32).contains(bits) else { return nil }
            mask = bits == 0 ? 0 : UInt32.max << UInt32(32 - bits)
            network = address & mask
        }

        func contains(_ address: String) -> Bool {
            guard let value = Self.parse(address) else { return false }
            return value & mask == network
        }

        static func parse(_ text: String) -> UInt32? {
            let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt32($0) }
            guard octets.count == 4, octets.allSatisfy({ $0 <= 255 }) else { return nil }
            return octets.reduce(0) { $0 << 8 | $1 }
        }
    }

    private let trusted: [IPv4Range]

    /// - Parameter trustedProxies: comma-separated IPv4 addresses or CIDRs; invalid entries are errors.
    public init(trustedProxies: String) throws {
        trusted = try trustedProxies.split(separator: ",").map { entry in
            let text = String(entry).trimmingWhitespace()
            guard let range = IPv4Range(text) else {
                throw ConfigError(variable: "GATEWAY_TRUSTED_PROXIES", problem: "'\(text.prefix(64))' is not an IPv4 address or CIDR")
            }
            return range
        }
    }

    public func address(of request: Request, context: AppRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? ""
        guard isTrusted(peer), let forwarded = request.headers[.xForwardedFor] else { return peer }
        let hops = forwarded.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        return hops.reversed().first { !isTrusted($0) } ?? peer
    }

    /// Whether the client reached the platform over TLS: a trusted proxy says so in `X-Forwarded-Proto`.
    public func isSecure(_ request: Request, context: AppRequestContext) -> Bool {
        isTrusted(context.remoteAddress?.ipAddress ?? "") && request.headers[.xForwardedProto]?.lowercased() == "https"
    }

    private func isTrusted(_ address: String) -> Bool { trusted.contains { $0.contains(address) } }
}

/// Who is on the other end of a request, as the gateway tells idm (login throttling per address,
/// the session list): bound for every API request by `ClientContextMiddleware`.
struct ClientContext: Sendable {
    var address: String
    var userAgent: String
    /// Reached over TLS (cookies get `Secure`).
    var secure = false
    /// The request's head, for what the generated layer does not pass on (cookies).
    var head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/")

    @TaskLocal static var current = ClientContext(address: "", userAgent: "")
}

struct ClientContextMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = ClientContext(
            address: resolver.address(of: request, context: context), userAgent: request.headers[.userAgent] ?? "",
            secure: resolver.isSecure(request, context: context), head: request.head)
        return try await ClientContext.$current.withValue(client) { try await next(request, context) }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
