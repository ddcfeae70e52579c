import FoundationEssentials
import Hummingbird
import NIOCore
import PlatformCore
import PlatformMetrics

/// `/health` (the process is alive), `/ready` (its dependencies answer) and `/metrics`
/// (Prometheus text), mounted on every service's HTTP router.
public enum OpsRoutes {
    /// Whether a request may read operational detail (`/metrics`, the checks of `/ready`).
    /// Everyone may on a service's internal port; the gateway's public port admits admins only.
    public typealias Access = @Sendable (Request) async -> Bool

    /// What `/health` answers (and what a caller of it decodes).
    public struct HealthBody: Decodable, Sendable {
        public let status: String
        public let service: String
        public let version: String
        public let uptimeSeconds: Int

        enum CodingKeys: String, CodingKey {
            case status, service, version
            case uptimeSeconds = "uptime_seconds"
        }
    }

    /// What `/ready` answers.
    public struct ReadyBody: ResponseEncodable, Decodable, Sendable {
        public let status: String
        public let service: String
        /// Absent for a caller who may not read operational detail.
        public let checks: [String: String]?

        public var isReady: Bool { status == "ready" }
    }

    public static func add(
        to router: Router<AppRequestContext>, service: String, version: String, readiness: Readiness, access: Access? = nil
    ) {
        let started = ContinuousClock.now
        // The gateway's /health is the benchmark's HTTP ceiling: only the uptime changes, so the
        // rest of the HealthBody is encoded once rather than through JSONEncoder per request.
        let fixedPart = #"{"status":"ok","service":\#(jsonString(service)),"version":\#(jsonString(version)),"uptime_seconds":"#
        router.get("/health") { _, _ in
            let uptime = (ContinuousClock.now - started).components.seconds
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "\(fixedPart)\(uptime)}")))
        }
        router.head("/health") { _, _ in HTTPResponse.Status.ok }  // liveness probes that only send HEAD
        router.get("/ready") { request, _ -> EditedResponse<ReadyBody> in
            let report = await readiness.evaluate()
            var checks: [String: String]?
            if await access?(request) ?? true {
                checks = Dictionary(uniqueKeysWithValues: report.checked.map { ($0, report.failures[$0] ?? "ok") })
            }
            let body = ReadyBody(status: report.isReady ? "ready" : "not_ready", service: service, checks: checks)
            return EditedResponse(status: report.isReady ? .ok : .serviceUnavailable, response: body)
        }
        router.get("/metrics") { request, _ in
            // Answered like an unknown route: the public port does not even tell it exists.
            guard await access?(request) ?? true else { throw HTTPError(.notFound) }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: PlatformMetrics.render())))
        }
    }
}

private func jsonString(_ text: String) -> String {
    (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""""#
}
