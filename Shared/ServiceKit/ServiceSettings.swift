import EventKit
import Logging
import PlatformConfig
import PlatformRPC

/// What every service reads from its environment: where it listens, how much it logs,
/// and where the broker is. Variable names are `<PREFIX>_HTTP_PORT`, `<PREFIX>_GRPC_PORT`,
/// `BIND_HOST`, `LOG_LEVEL`, `AMQP_URL`, `STARTUP_TIMEOUT`, `HTTP_IDLE_TIMEOUT` and `PLATFORM_VERSION`.
public struct ServiceSettings: Sendable {
    public let descriptor: ServiceDescriptor
    public let bindHost: String
    public let httpPort: Int
    public let grpcPort: Int
    public let logLevel: Logger.Level
    /// Nil for the services that neither publish nor consume events, and in-process tests.
    public private(set) var amqpURL: String?
    /// Where events go without a broker: several services in one test process.
    public private(set) var localEvents: LocalEventBus?
    public let startupTimeout: Duration
    /// How long an HTTP connection may stay silent (`HTTP_IDLE_TIMEOUT`, 20 s by default).
    public let httpIdleTimeout: Duration
    /// What `/health` reports: the release, or what the deployment names it (an image tag).
    public let version: String
    public let config: ConfigReader
    /// How calls between services are authenticated (`PLATFORM_SERVICE_KEY`, `GRPC_TLS_DIR` or
    /// `GRPC_TLS_*_FILE`).
    public let rpcTrust: RPCTrust

    /// The platform's release.
    public static let release = "1.0.0"

    public init(_ descriptor: ServiceDescriptor, config: ConfigReader = ConfigReader()) throws {
        self.descriptor = descriptor
        self.config = config
        let prefix = descriptor.environmentPrefix
        bindHost = try config.string("BIND_HOST", default: "127.0.0.1")
        httpPort = try config.port("\(prefix)_HTTP_PORT", default: descriptor.defaultHTTPPort)
        grpcPort = try config.port("\(prefix)_GRPC_PORT", default: descriptor.defaultGRPCPort)
        let level = try config.string("LOG_LEVEL", default: "info").lowercased()
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ConfigError(
                variable: "LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        amqpURL =
            descriptor.usesBroker
            ? try config.url("AMQP_URL", default: "amqp://platform@127.0.0.1:5672/%2F", schemes: ["amqp"]) : nil
        startupTimeout = try config.duration("STARTUP_TIMEOUT", default: .seconds(60))
        httpIdleTimeout = try config.duration("HTTP_IDLE_TIMEOUT", default: .seconds(20))
        version = try config.string("PLATFORM_VERSION", default: Self.release)
        rpcTrust = try Self.rpcTrust(descriptor.name, config)
    }

    private static func rpcTrust(_ service: String, _ config: ConfigReader) throws -> RPCTrust {
        var trust = RPCTrust()
        if let key = config.optional("PLATFORM_SERVICE_KEY") {
            guard key.utf8.count >= 32 else {
                throw ConfigError(variable: "PLATFORM_SERVICE_KEY", problem: "must be 32 or more characters")
            }
            trust.tokens = ServiceTokens(caller: service, key: Array(key.utf8))
        }
        var files = ["GRPC_TLS_CA_FILE", "GRPC_TLS_CERT_FILE", "GRPC_TLS_KEY_FILE"].map { config.optional($0) }
        // A folder as scripts/service-certificates writes it: ca.pem, <service>.pem, <service>-key.pem.
        if let directory = config.optional("GRPC_TLS_DIR") {
            files = ["ca.pem", "\(service).pem", "\(service)-key.pem"].enumerated().map { files[$0] ?? "\(directory)/\($1)" }
        }
        if files.contains(where: { $0 != nil }) {
            guard let ca = files[0], let certificate = files[1], let key = files[2] else {
                throw ConfigError(variable: "GRPC_TLS_CA_FILE", problem: "mutual TLS needs GRPC_TLS_CA_FILE, GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE")
            }
            trust.tls = RPCTrust.TLSFiles(certificateAuthority: ca, certificate: certificate, privateKey: key)
        }
        return trust
    }

    /// For tests that run services in one process: no broker; events are consumed from (and the
    /// in-memory stores publish to) `bus`.
    public mutating func deliverEventsLocally(through bus: LocalEventBus) {
        amqpURL = nil
        localEvents = bus
    }

    public var name: String { descriptor.name }
    public var prefix: String { descriptor.environmentPrefix }

    /// Where `peer` runs: `<PREFIX>_GRPC_HOST` (its HTTP port is on the same host).
    public func host(of peer: ServiceDescriptor) throws -> String {
        try config.string("\(peer.environmentPrefix)_GRPC_HOST", default: "127.0.0.1")
    }

    /// The `<PREFIX>_DATABASE_URL` of the service's own store.
    public func databaseURL(default defaultValue: String, schemes: Set<String>) throws -> String {
        try config.url("\(prefix)_DATABASE_URL", default: defaultValue, schemes: schemes)
    }
}
