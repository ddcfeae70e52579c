import Contracts
@testable import GatewayService
import TestSupport
import Testing

/// The gateway's read-through cache of `/me` profiles: hits, drops (also of fetches already under
/// way), expiry and its bound.
@Suite("Profile cache", .timeLimit(.minutes(1)))
struct ProfileCacheTests {
    static func user(_ id: String, name: String) -> User_V1_User {
        var user = User_V1_User()
        user.id = id
        user.name = name
        return user
    }

    /// Reads through the cache; a fetch counts and answers `name`.
    static func read(
        _ cache: ProfileCache<User_V1_User>, _ userID: String, name: String = "Ada", counting fetches: CallCounter
    ) async throws -> User_V1_User {
        try await cache.profile(userID) {
            fetches.increment()
            return user(userID, name: name)
        }
    }

    /// A read whose fetch waits: `meanwhile` runs while the fetch is under way, then the fetch
    /// answers "before the change".
    static func readInterleaved(
        _ cache: ProfileCache<User_V1_User>, _ userID: String, counting fetches: CallCounter, meanwhile: () -> Void
    ) async throws -> User_V1_User {
        let (started, fetchStarted) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseFetch) = AsyncStream.makeStream(of: Void.self)
        let reading = Task {
            try await cache.profile(userID) {
                fetches.increment()
                fetchStarted.yield()
                for await _ in release { break }
                return Self.user(userID, name: "before the change")
            }
        }
        for await _ in started { break }
        meanwhile()
        releaseFetch.yield()
        return try await reading.value
    }

    @Test func aHitDoesNotFetchAgain() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60))
        let fetches = CallCounter()
        #expect(try await Self.read(cache, "user-1", name: "Ada", counting: fetches).name == "Ada")
        #expect(try await Self.read(cache, "user-1", name: "Other", counting: fetches).name == "Ada")
        // User ids are compared without case.
        #expect(try await Self.read(cache, "USER-1", name: "Other", counting: fetches).name == "Ada")
        #expect(fetches.count == 1)
        _ = try await Self.read(cache, "user-2", counting: fetches)
        #expect(fetches.count == 2)
    }

    @Test func aDropMakesTheNextReadFetch() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60))
        let fetches = CallCounter()
        _ = try await Self.read(cache, "user-1", name: "Ada", counting: fetches)
        _ = try await Self.read(cache, "user-2", counting: fetches)
        cache.drop("USER-1")
        #expect(try await Self.read(cache, "user-1", name: "Ada Lovelace", counting: fetches).name == "Ada Lovelace")
        #expect(fetches.count == 3)
        // The fetch after the drop is stored, and the other user's entry was left alone.
        #expect(try await Self.read(cache, "user-1", name: "Other", counting: fetches).name == "Ada Lovelace")
        _ = try await Self.read(cache, "user-2", counting: fetches)
        #expect(fetches.count == 3)
    }

    @Test func aFetchThatStartedBeforeADropIsNotStored() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60))
        let fetches = CallCounter()
        let stale = try await Self.readInterleaved(cache, "user-1", counting: fetches) { cache.drop("user-1") }
        // Its own caller still gets the answer.
        #expect(stale.name == "before the change")
        #expect(try await Self.read(cache, "user-1", name: "after the change", counting: fetches).name == "after the change")
        #expect(fetches.count == 2)
        #expect(try await Self.read(cache, "user-1", name: "Other", counting: fetches).name == "after the change")
        #expect(fetches.count == 2)
    }

    @Test func aDropOfAnotherUserDoesNotKeepAFetchFromBeingStored() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60))
        let fetches = CallCounter()
        _ = try await Self.readInterleaved(cache, "user-1", counting: fetches) { cache.drop("user-2") }
        #expect(try await Self.read(cache, "user-1", name: "Other", counting: fetches).name == "before the change")
        #expect(fetches.count == 1)
    }

    @Test func dropAllEmptiesTheCache() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60))
        let fetches = CallCounter()
        _ = try await Self.read(cache, "user-1", counting: fetches)
        _ = try await Self.read(cache, "user-2", counting: fetches)
        cache.dropAll()
        _ = try await Self.read(cache, "user-1", counting: fetches)
        _ = try await Self.read(cache, "user-2", counting: fetches)
        #expect(fetches.count == 4)
        _ = try await Self.read(cache, "user-1", counting: fetches)
        #expect(fetches.count == 4)
    }

    @Test func aFetchThatStartedBeforeDropAllIsNotStored() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60))
        let fetches = CallCounter()
        let stale = try await Self.readInterleaved(cache, "user-1", counting: fetches) { cache.dropAll() }
        #expect(stale.name == "before the change")
        #expect(try await Self.read(cache, "user-1", name: "after the change", counting: fetches).name == "after the change")
        #expect(fetches.count == 2)
        #expect(try await Self.read(cache, "user-1", name: "Other", counting: fetches).name == "after the change")
        #expect(fetches.count == 2)
    }

    @Test func aZeroTTLDisablesCaching() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .zero)
        let fetches = CallCounter()
        for name in ["first", "second", "third"] {
            #expect(try await Self.read(cache, "user-1", name: name, counting: fetches).name == name)
        }
        #expect(fetches.count == 3)
        cache.drop("user-1")
        cache.dropAll()
    }

    @Test func anEntryExpiresAfterTheTTL() async throws {
        let cache = ProfileCache<User_V1_User>(ttl: .milliseconds(50))
        let fetches = CallCounter()
        _ = try await Self.read(cache, "user-1", name: "old", counting: fetches)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await Self.read(cache, "user-1", name: "new", counting: fetches).name == "new")
        #expect(fetches.count == 2)
    }

    @Test func theCapacityBoundsTheEntries() async throws {
        let capacity = 3
        let small = ProfileCache<User_V1_User>(ttl: .seconds(60), capacity: capacity)
        let fetches = CallCounter()
        // Within the capacity every entry is kept.
        for user in ["a", "b", "c", "a", "b", "c"] { _ = try await Self.read(small, user, counting: fetches) }
        #expect(fetches.count == 3)

        let cache = ProfileCache<User_V1_User>(ttl: .seconds(60), capacity: capacity)
        let counted = CallCounter()
        let users = (0..<10).map { "user-\($0)" }
        for user in users { _ = try await Self.read(cache, user, counting: counted) }
        #expect(counted.count == users.count)
        for user in users { _ = try await Self.read(cache, user, counting: counted) }
        // At most `capacity` of the second reads were answered from the cache.
        let hits = 2 * users.count - counted.count
        #expect(hits <= capacity)
    }
}
