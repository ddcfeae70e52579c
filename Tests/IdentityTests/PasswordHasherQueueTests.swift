import PasswordHashing
import PlatformCore
import TestSupport
import Testing

@Suite("Password hasher queue")
struct PasswordHasherQueueTests {
    /// Past its bound, new work is refused at once with 503 and a retry delay, instead of queueing
    /// until every caller's deadline has passed (50 bogus logins made real ones time out).
    @Test func workPastTheBoundIsShedAtOnce() async throws {
        let hasher = try await PasswordHasher(cost: 10, threads: 1, maximumPending: 2)
        let hash = try await hasher.hash("a password to check")
        let outcomes = try await withThrowingTaskGroup(of: AppError.Code?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        _ = try await hasher.verify("a password to check", against: hash)
                        return nil
                    } catch let error as AppError {
                        #expect(error.retryAfterSeconds == 1)
                        return error.code
                    }
                }
            }
            return try await group.reduce(into: [AppError.Code?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count >= 2)
        #expect(outcomes.filter { $0 == .unavailable }.count >= 1)
        #expect(outcomes.allSatisfy { $0 == nil || $0 == .unavailable })
        // Once the queue drained, work is accepted again.
        #expect(try await hasher.verify("a password to check", against: hash))
    }
}
