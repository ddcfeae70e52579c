import FoundationEssentials
import PlatformCore

/// Where and how to connect: parsed from an `amqp://user:pass@host:port/vhost` URL.
///
/// The vhost is the percent-decoded path (`%2F` is `/`); without a path it is `/`.
/// Query parameters `heartbeat` (seconds) and `connection_timeout` (milliseconds) follow
/// RabbitMQ's URI spec. `description` never shows the password.
public struct AMQPConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    /// Shown by the broker's management UI; the publisher and consumers add their role to it.
    public var connectionName: String
    /// Heartbeat interval proposed to the broker, in seconds (0 disables heartbeats).
    public var heartbeatSeconds: Int = 30
    /// Limit for opening the TCP connection and for the AMQP handshake.
    public var connectTimeout: Duration = .seconds(3)
    /// Limit for a synchronous request (declare, qos, consume, close) to be answered.
    public var rpcTimeout: Duration = .seconds(10)
    /// Limit for the broker to confirm a publish.
    public var confirmTimeout: Duration = .seconds(10)

    public init(url: String, connectionName: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw AMQPError(.invalidConfiguration, "not a URL: \(Self.redacted(url))")
        }
        guard scheme == "amqp" else {
            throw AMQPError(.invalidConfiguration, "unsupported scheme '\(scheme)' (only amqp:// is supported)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw AMQPError(.invalidConfiguration, "the AMQP URL has no host")
        }
        self.host = host
        self.port = components.port ?? 5672
        self.user = components.user ?? "guest"
        self.password = components.password ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            self.vhost = "/"
        } else {
            let encoded = String(path.dropFirst())
            guard !encoded.contains("/"), let decoded = encoded.percentDecoded else {
                throw AMQPError(.invalidConfiguration, "invalid vhost in the AMQP URL (encode '/' as %2F)")
            }
            self.vhost = decoded
        }
        self.connectionName = connectionName
        for item in components.queryItems ?? [] {
            switch item.name {
            case "heartbeat":
                guard let value = item.value.flatMap(Int.init), value >= 0 else {
                    throw AMQPError(.invalidConfiguration, "heartbeat must be a number of seconds")
                }
                heartbeatSeconds = value
            case "connection_timeout":
                guard let value = item.value.flatMap(Int.init), value > 0 else {
                    throw AMQPError(.invalidConfiguration, "connection_timeout must be a number of milliseconds")
                }
                connectTimeout = .milliseconds(value)
            default:
                continue
            }
        }
    }

    public var description: String {
        "amqp://\(user)@\(host):\(port)/\(vhost == "/" ? "%2F" : vhost)"
    }

    private static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.firstRange(of: "://") else { return url }
        return String(url[..<scheme.upperBound]) + "…" + String(url[at...])
    }
}
