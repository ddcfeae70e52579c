/// The prepared statements of one connection, by SQL text, least recently used evicted first.
///
/// Reusing a statement saves the prepare round trip, so a repeated query costs one round trip.
struct StatementCache {
    private var entries: [String: (statement: PreparedStatement, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func statement(for sql: String) -> PreparedStatement? {
        guard let entry = entries[sql] else { return nil }
        clock += 1
        entries[sql] = (entry.statement, clock)
        return entry.statement
    }

    /// Stores `statement` and returns the one evicted to make room, which the caller closes.
    mutating func insert(_ statement: PreparedStatement, for sql: String) -> PreparedStatement? {
        var evicted: PreparedStatement?
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            evicted = entries.removeValue(forKey: oldest.key)?.statement
        }
        clock += 1
        entries[sql] = (statement, clock)
        return evicted
    }

    mutating func remove(_ sql: String) -> PreparedStatement? {
        entries.removeValue(forKey: sql)?.statement
    }

    mutating func removeAll() -> [PreparedStatement] {
        defer { entries = [:] }
        return entries.values.map(\.statement)
    }
}
