import Foundation
import ServiceKit
import TestSupport
import Testing

/// `Services/services.tsv` (read by the scripts and the end-to-end suite) and the Swift manifest
/// state the same facts.
@Suite("Service manifest")
struct ServiceManifestTests {
    static func table() throws -> [[String]] {
        let text = try String(
            contentsOf: ServiceSchemas.repositoryRoot.appendingPathComponent("Services/services.tsv"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
            .map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
    }

    @Test func theTableAndTheSwiftManifestAgree() throws {
        let rows = try Self.table()
        #expect(rows.map { $0[0] } == ServiceManifest.all.map(\.name))
        for (row, service) in zip(rows, ServiceManifest.all) {
            try #require(row.count == 7, "\(row)")
            #expect(row[1] == service.environmentPrefix, "\(service.name)")
            #expect(Int(row[2]) == service.defaultHTTPPort, "\(service.name)")
            #expect(Int(row[3]) == service.defaultGRPCPort, "\(service.name)")
            #expect(row[4] == service.store.map { "\($0.engine):\($0.database)" } ?? "-", "\(service.name)")
            #expect(row[5] == (service.usesBroker ? "yes" : "no"), "\(service.name)")
            #expect(row[6] == (service.peers.isEmpty ? "-" : service.peers.joined(separator: ",")), "\(service.name)")
        }
    }

    @Test func portsAreDistinctAndPeersExist() {
        let ports = ServiceManifest.all.flatMap { [$0.defaultHTTPPort, $0.defaultGRPCPort] }
        #expect(Set(ports).count == ports.count)
        for service in ServiceManifest.all {
            for peer in service.peers { #expect(ServiceManifest.named(peer) != nil, "\(service.name) calls \(peer)") }
        }
    }
}
