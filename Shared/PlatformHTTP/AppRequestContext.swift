import Hummingbird
import NIOCore

/// The request context of every service's HTTP router: Hummingbird's core, the request id and
/// the peer's address.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIDMiddleware` before any route runs.
    public var requestID: String = ""
    /// The TCP peer (a proxy's address when one is in front).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
