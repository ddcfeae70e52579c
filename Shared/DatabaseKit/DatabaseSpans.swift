import Instrumentation
import PlatformTracing
import Tracing

/// The spans of database work, when tracing is on: one per transaction, and one per statement
/// (or MongoDB command) that runs on its own. They name the operations (`SELECT`, `INSERT`,
/// `find`…), never a statement's text, a filter or parameters, and only within a trace.
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

    /// One statement outside a transaction (for MongoDB, one command on `collection`).
    public func statement<T>(_ operation: String, collection: String? = nil, _ body: () async throws -> T) async throws -> T {
        guard Self.inTrace else { return try await body() }
        let target = collection.map { "\(namespace).\($0)" } ?? namespace
        return try await PlatformTracing.withSpan("\(operation) \(target)", ofKind: .client, attributes: { attributes in
            describe(&attributes)
            attributes["db.operation.name"] = operation
            attributes["db.collection.name"] = collection
        }) { _ in try await body() }
    }

    /// A transaction; `body` returns its result and the operations of its statements, in order.
    public func transaction<T>(_ body: (_ recording: Bool) async throws -> (T, [String])) async throws -> T {
        guard PlatformTracing.isEnabled, Self.inTrace else { return try await body(false).0 }
        return try await PlatformTracing.withSpan("transaction \(namespace)", ofKind: .client, attributes: describe) { span in
            let (result, operations) = try await body(true)
            span?.attributes["db.operation.name"] = operations.joined(separator: " ")
            span?.attributes["db.operation.batch.size"] = operations.count
            return result
        }
    }

    /// Database work starts no trace of its own: the relays' polls, sweeps and readiness pings
    /// would fill the backend with one-span traces. It is traced as part of a request or event.
    private static var inTrace: Bool { ServiceContext.current != nil }

    private func describe(_ attributes: inout SpanAttributes) {
        attributes["db.system.name"] = system
        attributes["db.namespace"] = namespace
    }
}
