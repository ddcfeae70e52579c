import BlockingIO
import GRPCCore
import GRPCNIOTransportHTTP2
import Glibc

/// A peer known by host name, looked up again every `interval` and pushed to the channel when the
/// answer changes. grpc-swift's own DNS resolver looks again only after a connection closes, so
/// while a restarted container came back under a new address the client kept dialling the old one
/// ("No route to host") until the process restarted.
struct RefreshingDNSTarget: ResolvableTarget, Sendable {
    var host: String
    var port: Int
    var interval: Duration = .seconds(2)
}

struct RefreshingDNSResolverFactory: NameResolverFactory, Sendable {
    typealias Target = RefreshingDNSTarget
    typealias Lookup = @Sendable (_ host: String, _ port: Int) throws -> [SocketAddress]

    var lookup: Lookup = RefreshingDNSResolverFactory.getaddrinfo

    func resolver(for target: Target) -> NameResolver {
        NameResolver(names: RPCAsyncSequence(wrapping: answers(for: target)), updateMode: .push, authority: "\(target.host):\(target.port)")
    }

    /// Every changed answer, the first one as soon as there is one. Failed lookups are retried
    /// (the channel keeps its last addresses meanwhile); the stream ends when the channel stops.
    func answers(for target: Target) -> AsyncThrowingStream<NameResolutionResult, any Error> {
        let lookup = self.lookup
        return AsyncThrowingStream { continuation in
            let task = Task {
                var last: [SocketAddress]?
                while !Task.isCancelled {
                    if let addresses = try? await Self.lookups.run({ try lookup(target.host, target.port) }),
                        !addresses.isEmpty, addresses != last
                    {
                        last = addresses
                        // One endpoint per address: round robin spreads calls over them all.
                        continuation.yield(NameResolutionResult(endpoints: addresses.map { Endpoint(addresses: [$0]) }, serviceConfig: nil))
                    }
                    try? await Task.sleep(for: target.interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Lookups block in getaddrinfo, so they run on a thread of their own, never on an event loop.
    private static let lookups = BlockingThreadPool(name: "dns", threads: 1)

    struct LookupFailure: Error, CustomStringConvertible {
        var host: String
        var code: Int32
        var description: String { "cannot resolve \(host): \(String(cString: gai_strerror(code)))" }
    }

    static let getaddrinfo: Lookup = { host, port in
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = Glibc.getaddrinfo(host, String(port), &hints, &list)
        guard code == 0 else { throw LookupFailure(host: host, code: code) }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch info.ai_family {
            case AF_INET:
                var address = info.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                addresses.append(.ipv4(host: String(cString: text), port: port))
            case AF_INET6:
                var address = info.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                addresses.append(.ipv6(host: String(cString: text), port: port))
            default:
                break
            }
            entry = info.ai_next
        }
        return addresses
    }
}
