import GRPCNIOTransportHTTP2
import Synchronization
import Testing

@testable import PlatformRPC

@Suite struct RefreshingDNSTests {
    /// A container restarted under a new address: the channel is told of the new address once,
    /// while unchanged answers and failed lookups tell it nothing.
    @Test func aChangedAnswerIsPushedOnceAndFailuresKeepTheLastOne() async throws {
        let first = [SocketAddress.ipv4(host: "10.89.0.70", port: 50055)]
        let second = [SocketAddress.ipv4(host: "10.89.0.78", port: 50055)]
        let answers = Mutex<[Result<[SocketAddress], LookupFailed>]>(
            [.success(first), .success(first), .failure(LookupFailed()), .success(second), .success(second)])
        let factory = RefreshingDNSResolverFactory(lookup: { _, _ in
            try answers.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }.get()
        })
        var received: [[SocketAddress]] = []
        for try await result in factory.answers(for: RefreshingDNSTarget(host: "product", port: 50055, interval: .milliseconds(5))) {
            received.append(result.endpoints.flatMap(\.addresses))
            if received.count == 2 { break }
        }
        #expect(received == [first, second])
    }

    @Test func theSystemResolverAnswersForLocalhost() throws {
        let addresses = try RefreshingDNSResolverFactory.getaddrinfo("localhost", 50055)
        #expect(addresses.contains(.ipv4(host: "127.0.0.1", port: 50055)))
    }

    struct LookupFailed: Error {}
}
