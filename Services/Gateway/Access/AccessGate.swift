import AccessTokens
import FoundationEssentials
import Logging
import PlatformAPI
import PlatformCore
import Synchronization

/// Authenticates requests without a round trip: the bearer token's header, ES256 signature,
/// expiry, issuer and audience are checked against idm's published keys, and its session
/// against the revocation list that `GatewayEventFeed` keeps current.
public final class AccessGate: Sendable {
    public typealias KeySource = @Sendable () async throws -> JWKSet

    private let settings: TokenSettings
    private let keySource: KeySource
    private let revocations: RevocationList
    private let logger: Logger
    private let state: Mutex<(verifier: AccessTokenVerifier, keys: JWKSet, loadedAt: ContinuousClock.Instant)>
    /// How often an unknown `kid` may trigger a reload of the keys (idm rotated its key).
    private let reloadInterval: Duration
    /// Tokens that passed every check, so repeat requests skip the signature work until they
    /// expire. Only good tokens enter; revocation is still checked on every request.
    private let verified = Mutex<[String: AccessClaims]>([:])
    private static let verifiedCapacity = 20_000

    public init(
        settings: TokenSettings, revocations: RevocationList, logger: Logger, reloadInterval: Duration = .seconds(30),
        keySource: @escaping KeySource
    ) async throws {
        self.settings = settings
        self.keySource = keySource
        self.revocations = revocations
        self.logger = logger
        self.reloadInterval = reloadInterval
        let keys = try await keySource()
        state = Mutex((try await AccessTokenVerifier(settings: settings, jwks: keys), keys, .now))
    }

    /// The keys tokens are checked with, as served at `/.well-known/jwks.json`.
    public var keys: JWKSet { state.withLock { $0.keys } }

    /// Refuses a session's tokens on this instance at once, e.g. right after this gateway
    /// forwarded its revocation (the `session.revoked` event tells the other replicas).
    public func revokeLocally(_ sessionID: String) {
        revocations.revoke(sessionID, until: Date().addingTimeInterval(settings.revocationLifetime))
    }

    /// The caller of an `Authorization: Bearer …` header, or 401.
    public func authenticate(authorization header: String?) async throws -> Caller {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw AppError(.unauthenticated, "a bearer token is required")
        }
        return try await authenticate(token: String(header.dropFirst(7)).trimmingWhitespace())
    }

    public func authenticate(token: String) async throws -> Caller {
        do {
            let claims = try await verifiedClaims(token)
            guard !revocations.isRevoked(claims.sid) else { throw TokenRejection.revoked }
            return Caller(
                userID: claims.userID, email: claims.email, roles: claims.roles, sessionID: claims.sid, token: token,
                locationID: claims.locationID)
        } catch let rejection as TokenRejection {
            logger.debug("token refused", metadata: ["reason": "\(rejection.message)"])
            throw Self.invalidToken
        }
    }

    private func verifiedClaims(_ token: String) async throws(TokenRejection) -> AccessClaims {
        let now = Date()
        if let claims = verified.withLock({ $0[token] }), claims.expiresAt > now { return claims }
        let claims = try await verify(token)
        verified.withLock { cache in
            if cache.count >= Self.verifiedCapacity {
                cache = cache.filter { $0.value.expiresAt > now }
                if cache.count >= Self.verifiedCapacity { cache.removeAll(keepingCapacity: true) }
            }
            cache[token] = claims
        }
        return claims
    }

    private func verify(_ token: String) async throws(TokenRejection) -> AccessClaims {
        let verifier = state.withLock { $0.verifier }
        do {
            return try await verifier.verify(token)
        } catch {
            guard error == .unknownKey, let reloaded = await reloadKeysIfDue() else { throw error }
            return try await reloaded.verify(token)
        }
    }

    private func reloadKeysIfDue() async -> AccessTokenVerifier? {
        let due = state.withLock { ContinuousClock.now - $0.loadedAt >= reloadInterval }
        guard due else { return nil }
        state.withLock { $0.loadedAt = .now }
        do {
            let keys = try await keySource()
            let verifier = try await AccessTokenVerifier(settings: settings, jwks: keys)
            state.withLock {
                $0.verifier = verifier
                $0.keys = keys
            }
            logger.info("reloaded the token keys")
            return verifier
        } catch {
            logger.warning("cannot reload the token keys", metadata: ["error": "\(error)"])
            return nil
        }
    }

    static let invalidToken = AppError(.unauthenticated, "the access token is not valid")
}
