import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import Synchronization

/// Who a bearer token belongs to, as idm's `ValidateToken` says. A token idm accepted is
/// remembered for `cacheLifetime` (half a second by default), so a revoked or logged-out token is
/// refused within that; refusals are never cached.
public final class TokenIntrospection: Sendable {
    public typealias Validate = @Sendable (String) async throws -> Idm_V1_ValidateTokenResponse

    private let validate: Validate
    private let cacheLifetime: Duration
    private let accepted = Mutex<[String: (requester: Requester, until: ContinuousClock.Instant)]>([:])
    static let cacheCapacity = 10_000

    public init(validate: @escaping Validate, cacheLifetime: Duration = .milliseconds(500)) {
        self.validate = validate
        self.cacheLifetime = cacheLifetime
    }

    public convenience init(idm: any Idm_V1_IDMService.ClientProtocol, cacheLifetime: Duration = .milliseconds(500)) {
        self.init(validate: { token in try await idm.validateToken(.with { $0.token = token }) }, cacheLifetime: cacheLifetime)
    }

    /// The requester of an `Authorization` header: anonymous without one, 401 for anything but a
    /// bearer token idm accepts.
    public func requester(authorization header: String?) async throws -> Requester {
        guard let header else { return .anonymous }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw AppError(.unauthenticated, "a bearer token is required")
        }
        return try await requester(token: String(header.dropFirst(7)).trimmingWhitespace())
    }

    public func requester(token: String) async throws -> Requester {
        let now = ContinuousClock.now
        if let entry = accepted.withLock({ $0[token] }), entry.until > now { return entry.requester }
        let answer = try await validate(token)
        guard answer.valid else { throw AppError(.unauthenticated, "the access token is not valid") }
        let terminal = answer.roles.contains(Role.terminal.rawValue)
        let requester = Requester(
            userID: terminal ? nil : UUID(uuidString: answer.userID), roles: answer.roles,
            locationID: UUID(uuidString: answer.locationID), email: terminal ? nil : answer.email.nonEmpty)
        accepted.withLock { cache in
            if cache.count >= Self.cacheCapacity {
                cache = cache.filter { $0.value.until > now }
                if cache.count >= Self.cacheCapacity { cache.removeAll(keepingCapacity: true) }
            }
            cache[token] = (requester, now + cacheLifetime)
        }
        return requester
    }
}
