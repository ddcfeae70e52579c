import Foundation
import Testing

/// A live server the integration tests use, named by the variable `scripts/test` sets.
///
/// A suite whose server is not configured is skipped when run by hand, but under
/// `REQUIRE_TEST_SERVERS=1` (what `scripts/test` and CI set) it runs and fails, so a missing
/// server is never a silent pass.
public struct TestServer: Sendable {
    public let variable: String

    public init(variable: String) { self.variable = variable }

    public static let postgres = TestServer(variable: "TEST_POSTGRES_URL")
    public static let mariadb = TestServer(variable: "TEST_MARIADB_URL")
    public static let broker = TestServer(variable: "TEST_AMQP_URL")
    public static let mongo = TestServer(variable: "TEST_MONGO_URL")
    /// An S3-compatible server (moto in CI): `http://KEY:SECRET@HOST:PORT/`.
    public static let s3 = TestServer(variable: "TEST_S3_URL")

    public static var required: Bool { ProcessInfo.processInfo.environment["REQUIRE_TEST_SERVERS"] == "1" }

    public var url: String? {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { return nil }
        return value
    }

    public var isEnabled: Bool { url != nil || Self.required }

    /// The variable's value (the URL or command), or an error that names the missing variable.
    public func require() throws -> String {
        guard let url else { throw TestServerMissing(variable: variable) }
        return url
    }
}

public struct TestServerMissing: Error, CustomStringConvertible {
    public let variable: String

    public init(variable: String) { self.variable = variable }
    public var description: String { "\(variable) is not set, but REQUIRE_TEST_SERVERS=1 demands the server" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the suite or test against `server` (see `TestServer` for when it is skipped).
    public static func needs(_ server: TestServer) -> Self {
        .enabled(if: server.isEnabled, "\(server.variable) is not set")
    }
}

/// A unique lower-case name for a test's table, schema, database or queue.
public func uniqueTestName(_ prefix: String, separator: String = "_") -> String {
    "\(prefix)\(separator)\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs `body`, then `cleanUp`, also when `body` throws (its error wins over the clean-up's).
public func withCleanUp<T>(_ body: () async throws -> T, cleanUp: () async throws -> Void) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        try? await cleanUp()
        throw error
    }
    try await cleanUp()
    return result
}
