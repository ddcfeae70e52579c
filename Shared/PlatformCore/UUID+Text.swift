import Foundation

extension UUID {
    /// UUIDs travel lowercased (the RFC 4122 output form, as Postgres prints them).
    public var lowercasedString: String { uuidString.lowercased() }
}
