import FoundationEssentials
import OpenAPIRuntime
import PlatformAPI

/// The gateway's REST operations, typed from `API/openapi.yaml` (generated into `API/Generated`
/// by `scripts/gen-openapi`). The document's policy (roles, ids, body limits) is applied by
/// `APIMiddleware` before a handler runs; handlers only translate to gRPC calls and back, one
/// area per file in `Routes/`.
struct GatewayAPI: APIProtocol {
    let peers: GatewayPeers
    let gate: AccessGate
    let profiles: ProfileCache<OwnProfile>
    let browser: BrowserSession
    let health: ServiceHealthProbe

    /// How operations encode: compact JSON with sorted keys, times as RFC 3339 UTC with milliseconds.
    static let configuration = Configuration(
        dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
}
