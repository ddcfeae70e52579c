/// A dependency a service needs to do its work (its store, the broker), checked by `/ready`
/// and by the gRPC health service.
public struct ReadinessCheck: Sendable {
    public let name: String
    public let check: @Sendable () async throws -> Void

    public init(_ name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

public struct ReadinessReport: Sendable, Equatable {
    /// Check name → nil when it passed, else a short reason that is safe to show.
    public let failures: [String: String]
    public let checked: [String]

    public var isReady: Bool { failures.isEmpty }
}

/// Runs every check concurrently, each bounded by `timeout`, so a hung dependency makes the
/// service "not ready" instead of hanging the probe.
public struct Readiness: Sendable {
    public let checks: [ReadinessCheck]
    public let timeout: Duration

    public init(checks: [ReadinessCheck], timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.timeout = timeout
    }

    public func evaluate() async -> ReadinessReport {
        let timeout = self.timeout
        let failures = await withTaskGroup(of: (String, String?).self) { group in
            for check in checks {
                group.addTask { (check.name, await Self.run(check, timeout: timeout)) }
            }
            var failures: [String: String] = [:]
            for await (name, failure) in group {
                if let failure { failures[name] = failure }
            }
            return failures
        }
        return ReadinessReport(failures: failures, checked: checks.map(\.name))
    }

    private static func run(_ check: ReadinessCheck, timeout: Duration) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await check.check()
                    return nil
                } catch {
                    return "unavailable"
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : "timed out"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
