import DatabaseKit

/// The transactional outbox and the idempotency inbox, the same in every service that
/// publishes or consumes events, so their DDL lives here once. A service's first migration
/// creates the ones it needs; its own migration files start at version 2.
public struct EventTables: Sendable {
    public enum Dialect: Sendable { case postgres, mariadb }

    public let outbox: Bool
    public let inbox: Bool

    public init(outbox: Bool, inbox: Bool) {
        self.outbox = outbox
        self.inbox = inbox
    }

    public static let none = EventTables(outbox: false, inbox: false)

    /// Version 1 creates the tables; later changes to them take versions from 9001 up, a range no
    /// service's own migrations reach, so they apply once wherever version 1 did.
    public func migrations(_ dialect: Dialect) -> [Migration] {
        var statements: [String] = []
        if outbox { statements.append(dialect == .postgres ? Self.postgresOutbox : Self.mariadbOutbox) }
        if inbox { statements.append(dialect == .postgres ? Self.postgresInbox : Self.mariadbInbox) }
        guard !statements.isEmpty else { return [] }
        var migrations = [Migration(version: 1, name: "event_tables", sql: statements.joined(separator: "\n"))]
        if outbox {
            // The W3C trace context of the transaction that wrote the event (`TraceHeaders`).
            migrations.append(Migration(version: 9001, name: "outbox_trace_context", sql: "ALTER TABLE outbox ADD COLUMN trace_context TEXT"))
        }
        return migrations
    }

    /// `id` is the event id and AMQP `message_id`; unpublished rows are found through the partial index;
    /// `claimed_until` is a relay's lease on a row it is publishing.
    static let postgresOutbox = """
        CREATE TABLE outbox (
            id UUID PRIMARY KEY,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            correlation_id TEXT,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            published_at TIMESTAMPTZ,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            claimed_until TIMESTAMPTZ
        );
        CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;
        """

    static let postgresInbox = """
        CREATE TABLE inbox (
            event_id UUID PRIMARY KEY,
            event_type TEXT NOT NULL,
            received_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        """

    static let mariadbOutbox = """
        CREATE TABLE outbox (
            id CHAR(36) NOT NULL PRIMARY KEY,
            event_type VARCHAR(128) NOT NULL,
            payload LONGTEXT NOT NULL,
            correlation_id VARCHAR(128),
            created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
            published_at DATETIME(6),
            attempts INT NOT NULL DEFAULT 0,
            last_error TEXT,
            claimed_until DATETIME(6),
            INDEX outbox_unpublished (published_at, created_at)
        );
        """

    static let mariadbInbox = """
        CREATE TABLE inbox (
            event_id CHAR(36) NOT NULL PRIMARY KEY,
            event_type VARCHAR(128) NOT NULL,
            received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
        );
        """
}
