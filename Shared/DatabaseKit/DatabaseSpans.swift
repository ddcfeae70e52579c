import PlatformTracing
import Tracing

/// The spans of database work, when tracing is on: one per transaction, and one per statement
/// that runs on its own. They name the operations (`SELECT`, `INSERT`…), never a statement's
/// text or parameters.
public struct DatabaseSpans: Sendable {
    /// `postgresql`, `mariadb`, `mongodb` (OpenTelemetry's `db.system.name`).
    public let system: String
    public let namespace: String

    public init(system: String, namespace: String) {
        self.system = system
        self.namespace = namespace
    }

    /// The first keyword of a statement, upper-cased: its operation.
    public static func operation(of sql: String) -> String {
        let keyword = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" }.prefix { $0.isLetter }
        return keyword.isEmpty ? "STATEMENT" : keyword.uppercased()
    }

    /// One statement outside a transaction.
    public func statement<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        try await PlatformTracing.withSpan("\(operation) \(namespace)", ofKind: .client, attributes: { attributes in
            describe(&attributes)
            attributes["db.operation.name"] = operation
        }) { _ in try await body() }
    }

    /// A transaction; `body` returns its result and the operations of its statements, in order.
    public func transaction<T>(_ body: (_ recording: Bool) async throws -> (T, [String])) async throws -> T {
        guard PlatformTracing.isEnabled else { return try await body(false).0 }
        return try await PlatformTracing.withSpan("transaction \(namespace)", ofKind: .client, attributes: describe) { span in
            let (result, operations) = try await body(true)
            span?.attributes["db.operation.name"] = operations.joined(separator: " ")
            span?.attributes["db.operation.batch.size"] = operations.count
            return result
        }
    }

    private func describe(_ attributes: inout SpanAttributes) {
        attributes["db.system.name"] = system
        attributes["db.namespace"] = namespace
    }
}
