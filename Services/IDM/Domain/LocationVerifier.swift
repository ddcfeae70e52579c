import FoundationEssentials

/// idm's view of the product service, which keeps the cafés' access codes (a gRPC client in production).
public protocol LocationVerifier: Sendable {
    /// The café when `code` is its access code and it is active; `AppError.unauthenticated` otherwise.
    func verifyAccess(location: String, code: String) async throws -> UUID
}
