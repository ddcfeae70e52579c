/// The events one service consumes, one handler per event type. The service's queue is bound to
/// exactly the types registered here, so bindings never drift from what is handled.
public struct EventHandlers: Sendable {
    public typealias Handler = @Sendable (ReceivedEvent) async throws -> Void

    public let service: String
    private var handlers: [String: Handler] = [:]

    public init(service: String) { self.service = service }

    /// Registers the handler of `type`; it receives the decoded payload and the delivered event
    /// (its id goes into the inbox). Throws if `type` may not reach this service or is registered twice.
    public mutating func on<Payload>(
        _ type: EventType<Payload>, _ handle: @escaping @Sendable (Payload, ReceivedEvent) async throws -> Void
    ) throws {
        guard type.mayBeConsumed(by: service) else {
            throw EventCatalogError("\(service) may not consume '\(type.name)' (only \(type.consumers?.sorted() ?? []))")
        }
        guard handlers[type.name] == nil else { throw EventCatalogError("'\(type.name)' has two handlers in \(service)") }
        handlers[type.name] = { event in try await handle(try event.decode(Payload.self), event) }
    }

    /// The routing keys the service's queue binds.
    public var bindingKeys: [String] { handlers.keys.sorted() }

    public var isEmpty: Bool { handlers.isEmpty }

    /// Runs the handler of the event's type; an event nobody here handles is rejected (dead-lettered).
    public func handle(_ event: ReceivedEvent) async throws {
        guard let handler = handlers[event.type] else { throw EventRejected("\(service) does not handle '\(event.type)'") }
        try await handler(event)
    }
}

public struct EventCatalogError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
