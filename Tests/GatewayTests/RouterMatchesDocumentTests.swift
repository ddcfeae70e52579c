import Foundation
import TestSupport
import Testing

/// The document is the contract: the gateway serves exactly the operations it names.
@Suite("Router and document")
struct RouterMatchesDocumentTests {
    @Test func theGatewayServesExactlyTheDocumentedOperations() async throws {
        try await PlatformStack.run { stack in
            let served = Set(try stack.gateway.makeRouter().routes.map { "\($0.method) \(Self.normalized("\($0.path)"))" })
            let documented = Set(gatewayDocument.operations.values.map { "\($0.method) \(Self.normalized($0.path))" })
            #expect(served.subtracting(documented).sorted() == [], "served but not in the document")
            #expect(documented.subtracting(served).sorted() == [], "in the document but not served")
        }
    }

    /// `/api/admin/users/{id}` and `/api/admin/users/:id` alike, with a leading slash.
    static func normalized(_ path: String) -> String {
        let segments = path.split(separator: "/").map { segment in
            segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}")) ? "{}" : String(segment)
        }
        return "/" + segments.joined(separator: "/")
    }
}
