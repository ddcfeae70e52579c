import PlatformConfig
/// The fixed facts about one service: its name, the prefix of its environment variables,
/// default ports (DESIGN.md) and whether it talks to the broker.
public struct ServiceDescriptor: Sendable {
    public let name: String
    public let environmentPrefix: String
    public let defaultHTTPPort: Int
    public let defaultGRPCPort: Int
    public let usesBroker: Bool

    public init(name: String, environmentPrefix: String, defaultHTTPPort: Int, defaultGRPCPort: Int, usesBroker: Bool) {
        self.name = name
        self.environmentPrefix = environmentPrefix
        self.defaultHTTPPort = defaultHTTPPort
        self.defaultGRPCPort = defaultGRPCPort
        self.usesBroker = usesBroker
    }
}

extension ServiceSettings {
    public init(_ descriptor: ServiceDescriptor, config: ConfigReader) throws {
        try self.init(
            name: descriptor.name, prefix: descriptor.environmentPrefix, defaultHTTPPort: descriptor.defaultHTTPPort,
            defaultGRPCPort: descriptor.defaultGRPCPort, usesBroker: descriptor.usesBroker, config: config)
    }
}
