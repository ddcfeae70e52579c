import FoundationEssentials
import Synchronization

/// Session ids whose tokens the gateway refuses although their signatures are good. Only
/// sessions idm revoked enter it (never arbitrary bad tokens), and each leaves once every token
/// of the session has expired anyway, so it stays as small as the recent revocations.
public final class RevocationList: Sendable {
    private let entries = Mutex<[String: Date]>([:])

    public init() {}

    public func revoke(_ sessionID: String, until: Date, now: Date = Date()) {
        entries.withLock { entries in
            if until > now { entries[sessionID.lowercased()] = max(until, entries[sessionID.lowercased()] ?? until) }
            if entries.count % 256 == 0 { entries = entries.filter { $0.value > now } }
        }
    }

    public func isRevoked(_ sessionID: String, now: Date = Date()) -> Bool {
        entries.withLock { entries in entries[sessionID.lowercased()].map { $0 > now } ?? false }
    }

    /// How many sessions it holds (what keeps it bounded is tested through this).
    var count: Int { entries.withLock { $0.count } }
}
