import PlatformAPI

/// `/api/health/full`: every service's health for the admin's health page.
extension GatewayAPI {
    func getFullHealth(_ input: Operations.GetFullHealth.Input) async throws -> Operations.GetFullHealth.Output {
        let reports = await health.reports(token: try Caller.current().token)
        let services = reports.map { report in
            Components.Schemas.ServiceHealth(
                name: report.name, status: .init(rawValue: report.status.rawValue) ?? .unreachable, version: report.version,
                uptimeSeconds: report.uptimeSeconds, checks: .init(additionalProperties: report.checks))
        }
        let healthy = reports.allSatisfy { $0.status == .ready }
        return .ok(.init(body: .json(.init(status: healthy ? .ok : .degraded, services: services))))
    }
}

extension Components.Schemas.ServiceHealth {
    /// `version` and `uptime_seconds` are required and nullable: `null` for a service that did not answer.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(version, forKey: .version)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try container.encode(checks, forKey: .checks)
    }
}
