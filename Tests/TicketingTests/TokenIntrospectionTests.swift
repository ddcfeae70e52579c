import Contracts
import Foundation
import PlatformCore
import ServiceFront
import Synchronization
import Testing

/// The service fronts' token check: idm decides, an acceptance is remembered for a short while
/// only, a refusal never.
@Suite("Token introspection")
struct TokenIntrospectionTests {
    final class IDM: Sendable {
        let state = Mutex((valid: true, calls: 0))

        func validate(_ token: String) -> Idm_V1_ValidateTokenResponse {
            state.withLock { state in
                state.calls += 1
                return .with {
                    $0.valid = state.valid
                    $0.userID = "6f1c1a8e-3c55-4f53-9d7a-0c6f7c1c2b11"
                    $0.email = "ann@example.com"
                    $0.roles = ["customer"]
                    if !state.valid { $0.message = "session revoked" }
                }
            }
        }
    }

    @Test func aRevokedTokenIsRefusedOnceTheCacheLapses() async throws {
        let idm = IDM()
        let tokens = TokenIntrospection(validate: { idm.validate($0) }, cacheLifetime: .milliseconds(200))
        let requester = try await tokens.requester(authorization: "Bearer abc")
        #expect(requester.email == "ann@example.com")
        #expect(requester.has(.customer))
        _ = try await tokens.requester(authorization: "bearer abc")
        #expect(idm.state.withLock { $0.calls } == 1)  // remembered

        idm.state.withLock { $0.valid = false }
        try await Task.sleep(for: .milliseconds(250))
        await #expect(throws: AppError.self) { try await tokens.requester(authorization: "Bearer abc") }
        await #expect(throws: AppError.self) { try await tokens.requester(authorization: "Bearer abc") }
        #expect(idm.state.withLock { $0.calls } == 3)  // refusals are asked again
    }

    @Test func noHeaderIsAnonymousAndAnythingElseIsRefused() async throws {
        let idm = IDM()
        let tokens = TokenIntrospection(validate: { idm.validate($0) })
        #expect(try await tokens.requester(authorization: nil) == .anonymous)
        let basic = await #expect(throws: AppError.self) { try await tokens.requester(authorization: "Basic YTpi") }
        #expect(basic?.code == .unauthenticated)
        #expect(idm.state.withLock { $0.calls } == 0)
    }
}
