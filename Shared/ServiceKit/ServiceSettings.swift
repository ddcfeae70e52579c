import Logging
import PlatformConfig

/// What every service reads from its environment: where it listens, how much it logs,
/// and where the broker is. Variable names are `<PREFIX>_HTTP_PORT`, `<PREFIX>_GRPC_PORT`,
/// `BIND_HOST`, `LOG_LEVEL` and `AMQP_URL`.
public struct ServiceSettings: Sendable {
    public let name: String
    public let prefix: String
    public let bindHost: String
    public let httpPort: Int
    public let grpcPort: Int
    public let logLevel: Logger.Level
    /// Nil for the services that neither publish nor consume events.
    public let amqpURL: String?
    public let startupTimeout: Duration
    public let config: ConfigReader

    public init(
        name: String, prefix: String, defaultHTTPPort: Int, defaultGRPCPort: Int, usesBroker: Bool,
        config: ConfigReader = ConfigReader()
    ) throws {
        self.name = name
        self.prefix = prefix
        self.config = config
        bindHost = try config.string("BIND_HOST", default: "127.0.0.1")
        httpPort = try config.port("\(prefix)_HTTP_PORT", default: defaultHTTPPort)
        grpcPort = try config.port("\(prefix)_GRPC_PORT", default: defaultGRPCPort)
        let level = try config.string("LOG_LEVEL", default: "info").lowercased()
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ConfigError(
                variable: "LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        amqpURL =
            usesBroker
            ? try config.url("AMQP_URL", default: "amqp://platform@127.0.0.1:5672/%2F", schemes: ["amqp"]) : nil
        startupTimeout = try config.duration("STARTUP_TIMEOUT", default: .seconds(60))
    }

    /// The `<PREFIX>_DATABASE_URL` of the service's own store.
    public func databaseURL(default defaultValue: String, schemes: Set<String>) throws -> String {
        try config.url("\(prefix)_DATABASE_URL", default: defaultValue, schemes: schemes)
    }
}
