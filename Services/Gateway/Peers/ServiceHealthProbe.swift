import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import PlatformHTTP

/// Asks every service's ops routes (`/health`, `/ready`) at once, for the admin's health page.
struct ServiceHealthProbe: Sendable {
    struct Report: Sendable {
        enum Status: String, Sendable { case ready, notReady = "not_ready", unreachable }
        let name: String
        let status: Status
        let version: String?
        let uptimeSeconds: Int?
        let checks: [String: String]
    }

    /// Each service's name and the base URL of its ops routes.
    let services: [(name: String, url: String)]
    /// The gateway itself, whose public port shows its checks to an admin only.
    let ownName: String
    var timeout: TimeAmount = .seconds(2)

    /// - Parameter token: the admin's access token, for the gateway's own `/ready`.
    func reports(token: String) async -> [Report] {
        await withTaskGroup(of: (Int, Report).self) { group in
            for (index, service) in services.enumerated() {
                let token = service.name == ownName ? token : nil
                group.addTask { (index, await report(service.name, service.url, token: token)) }
            }
            return await group.reduce(into: [(Int, Report)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func report(_ name: String, _ url: String, token: String?) async -> Report {
        async let health = fetch(OpsRoutes.HealthBody.self, url + "/health", token: token)
        async let readiness = fetch(OpsRoutes.ReadyBody.self, url + "/ready", token: token)
        guard let readiness = await readiness else {
            return Report(name: name, status: .unreachable, version: nil, uptimeSeconds: nil, checks: [:])
        }
        let alive = await health
        return Report(
            name: name, status: readiness.isReady ? .ready : .notReady, version: alive?.version,
            uptimeSeconds: alive?.uptimeSeconds, checks: readiness.checks ?? [:])
    }

    /// The decoded body of a 200 or 503 answer, nil when the service did not answer in time.
    private func fetch<T: Decodable>(_ type: T.Type, _ url: String, token: String?) async -> T? {
        do {
            var request = HTTPClientRequest(url: url)
            if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 * 1024)
            return try JSONDecoder().decode(type, from: Data(buffer: body))
        } catch {
            return nil
        }
    }
}
