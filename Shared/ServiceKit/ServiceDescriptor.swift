import PlatformConfig

/// The fixed facts about one service: its name, the prefix of its
/// environment variables, default ports, its own store, whether it talks to the broker, and the
/// services it calls. All ten are listed in `ServiceManifest`.
public struct ServiceDescriptor: Sendable, Equatable {
    /// A service's own database, by engine and name (also the name of its database user).
    public enum Store: Sendable, Equatable {
        case postgres(database: String)
        case mariadb(database: String)
        case mongo(database: String)

        public var database: String {
            switch self {
            case .postgres(let name), .mariadb(let name), .mongo(let name): name
            }
        }

        public var engine: String {
            switch self {
            case .postgres: "postgres"
            case .mariadb: "mariadb"
            case .mongo: "mongo"
            }
        }
    }

    public let name: String
    public let environmentPrefix: String
    public let defaultHTTPPort: Int
    public let defaultGRPCPort: Int
    public let store: Store?
    public let usesBroker: Bool
    /// The services this one calls over gRPC.
    public let peers: [String]

    init(
        _ name: String, prefix: String, http: Int, grpc: Int, store: Store?, broker: Bool, peers: [String] = []
    ) {
        self.name = name
        self.environmentPrefix = prefix
        self.defaultHTTPPort = http
        self.defaultGRPCPort = grpc
        self.store = store
        self.usesBroker = broker
        self.peers = peers
    }
}
