import Crypto
import Foundation
import TestSupport
import Testing

/// The gateway's generated REST layer is committed; `scripts/gen-openapi` records the hashes of the
/// document, the generator's configuration and every file it wrote. A change to the document
/// without regenerating, or a hand edit of generated code, fails here.
@Suite("Generated code")
struct GeneratedCodeTests {
    static let stamp = "scripts/openapi/generated.sha256"

    @Test func theCommittedCodeWasGeneratedFromTheCurrentDocument() throws {
        let root = ServiceSchemas.repositoryRoot
        let lines = try String(contentsOf: root.appendingPathComponent(Self.stamp), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        let recorded = Dictionary(uniqueKeysWithValues: lines.map { line -> (String, String) in
            let parts = line.split(separator: " ", maxSplits: 1)
            return (String(parts[1]).trimmingCharacters(in: .whitespaces), String(parts[0]))
        })
        #expect(recorded.keys.contains("Services/Gateway/API/openapi.yaml"))
        #expect(recorded.keys.contains { $0.hasPrefix("Services/Gateway/API/Generated/") })
        for (path, hash) in recorded {
            let data = try Data(contentsOf: root.appendingPathComponent(path))
            let actual = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            #expect(actual == hash, "\(path) changed since scripts/gen-openapi ran: run it again")
        }
        let generated = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Services/Gateway/API/Generated").path)
        #expect(Set(generated.map { "Services/Gateway/API/Generated/\($0)" }) == Set(recorded.keys.filter { $0.contains("/Generated/") }))
    }
}
