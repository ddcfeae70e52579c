import Contracts
import EventKit
import Foundation
import PasswordHashing
import PlatformCore
import TestSupport
import Testing
import UserService

@Suite("User registry")
struct UserRegistryTests {
    let store = InMemoryUserStore()
    let committed = CallCounter()
    let registry: UserRegistry

    init() async throws {
        let committed = committed
        registry = UserRegistry(
            store: store, hasher: try await PasswordHasher(cost: 4, threads: 2), eventsCommitted: { committed.increment() })
    }

    @Test func registrationGivesTheCustomerRoleAndALowercasedEmail() async throws {
        let user = try await registry.register(email: "  Ada.Lovelace@Example.COM ", password: "analytical engine", name: " Ada ")
        #expect(user.roles == ["customer"])
        #expect(user.email == "ada.lovelace@example.com")
        #expect(user.name == "Ada")
        #expect(user.active)
        #expect(try await registry.get(id: user.id.uuidString) == user)
    }

    @Test func registrationWritesOneUserRegisteredEventCarryingTheHashNotThePassword() async throws {
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        let events = store.outbox
        try #require(events.count == 1)
        let event = events[0]
        #expect(event.type == "user.registered")
        #expect(!event.payload.contains("analytical engine"))
        let json = try Fixtures.jsonObject(event.payload)
        let hash = try #require(json["passwordHash"] as? String)
        #expect(hash.hasPrefix("$2b$"))
        #expect(json["userId"] as? String == user.id.lowercasedString)
        #expect(json["email"] as? String == "ada@example.com")
        #expect(json["roles"] as? [String] == ["customer"])
    }

    @Test func anEmailTakenInAnotherCaseIsRefusedAsAlreadyExisting() async throws {
        _ = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        let error = await Fixtures.appError {
            _ = try await registry.register(email: "ADA@Example.com", password: "another password", name: "Other Ada")
        }
        #expect(error?.code == .alreadyExists)
        #expect(store.outbox.count == 1)
    }

    @Test func everyProblemOfARegistrationIsReportedInOneError() async throws {
        let error = await Fixtures.appError {
            _ = try await registry.register(email: "not-an-email", password: "short", name: "   ")
        }
        #expect(error?.code == .invalidArgument)
        #expect(Set(error?.details.keys.map { $0 } ?? []) == ["email", "password", "name"])
        #expect(store.outbox.isEmpty)
        #expect(committed.count == 0)
    }

    @Test func anUnknownRoleIsInvalid() async throws {
        let error = await Fixtures.appError {
            _ = try await registry.create(email: "root@example.com", password: "long enough", name: "Root", roles: ["superuser"])
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details["roles"]?.contains("superuser") == true)
        #expect(store.outbox.isEmpty)
    }

    @Test func aProfileUpdateWithoutANameChangesNothingAndEmitsNoEvent() async throws {
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        let updated = try await registry.updateProfile(id: user.id.uuidString, name: nil)
        #expect(updated == user)
        #expect(store.outbox.map(\.type) == ["user.registered"])
    }

    @Test func aProfileUpdateWithANameChangesOnlyTheName() async throws {
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        let updated = try await registry.updateProfile(id: user.id.uuidString, name: "Countess of Lovelace")
        #expect(updated.name == "Countess of Lovelace")
        #expect(updated.roles == user.roles)
        #expect(updated.email == user.email)
        #expect(store.outbox.map(\.type) == ["user.registered", "user.updated"])
    }

    @Test func aRoleUpdateLeavesTheNameAloneAndEmitsUserUpdated() async throws {
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        let updated = try await registry.update(id: user.id.uuidString, name: nil, roles: ["staff", "admin"], active: nil, by: nil)
        #expect(updated.name == "Ada")
        // Stored in the stable order of Role.
        #expect(updated.roles == ["admin", "staff"])
        #expect(updated.active)
        let events = store.outbox
        try #require(events.count == 2)
        #expect(events[1].type == "user.updated")
        let json = try Fixtures.jsonObject(events[1].payload)
        #expect(json["name"] as? String == "Ada")
        #expect(json["roles"] as? [String] == ["admin", "staff"])
        #expect(json["userId"] as? String == user.id.lowercasedString)
    }

    @Test func deactivationEmitsUserUpdatedAndUserDeactivated() async throws {
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        let deactivated = try await registry.deactivate(id: user.id.uuidString, by: nil)
        #expect(!deactivated.active)
        #expect(store.outbox.map(\.type) == ["user.registered", "user.updated", "user.deactivated"])
        let json = try Fixtures.jsonObject(store.outbox[2].payload)
        #expect(json["userId"] as? String == user.id.lowercasedString)

        // Deactivating again changes nothing and reports nothing.
        _ = try await registry.deactivate(id: user.id.uuidString, by: nil)
        #expect(store.outbox.count == 3)
    }

    @Test func updatingAnUnknownUserIsNotFound() async throws {
        let unknown = await Fixtures.appError {
            _ = try await registry.update(id: UUID().uuidString, name: "Nobody", roles: nil, active: nil, by: nil)
        }
        #expect(unknown?.code == .notFound)
        let garbage = await Fixtures.appError { _ = try await registry.deactivate(id: "not-a-uuid", by: nil) }
        #expect(garbage?.code == .notFound)
    }

    @Test func pagingRefusesPageZeroAndPagesLargerThanAHundred() async throws {
        let pageZero = await Fixtures.appError { _ = try PageRequest(page: 0) }
        #expect(pageZero?.code == .invalidArgument)
        #expect(pageZero?.details.keys.contains("page") == true)

        let tooLarge = await Fixtures.appError { _ = try PageRequest(size: 101) }
        #expect(tooLarge?.code == .invalidArgument)
        #expect(tooLarge?.details.keys.contains("page_size") == true)

        #expect(try await registry.list(UserQuery(paging: PageRequest(size: 100))).total == 0)
    }

    @Test func listingFiltersAndPages() async throws {
        for index in 0..<3 {
            _ = try await registry.register(email: "user\(index)@example.com", password: "long enough", name: "User \(index)")
        }
        _ = try await registry.create(email: "boss@example.com", password: "long enough", name: "Boss", roles: ["admin"])
        let admins = try await registry.list(UserQuery(paging: PageRequest(), role: "admin"))
        #expect(admins.items.map(\.email) == ["boss@example.com"])
        let page = try await registry.list(UserQuery(paging: PageRequest(page: 2, size: 3)))
        #expect(page.total == 4)
        #expect(page.items.count == 1)
    }

    @Test func ensureAdminCreatesTheAdminOnceAndThenReturnsFalse() async throws {
        #expect(try await registry.ensureAdmin(email: "Admin@Example.com", password: "admin password"))
        #expect(try await registry.ensureAdmin(email: "admin@example.com", password: "admin password") == false)
        let page = try await registry.list(UserQuery(paging: PageRequest()))
        #expect(page.total == 1)
        #expect(page.items.first?.roles == ["admin"])
        #expect(store.outbox.map(\.type) == ["user.registered"])
    }

    @Test func theCommitCallbackIsCalledAfterEachWrite() async throws {
        #expect(committed.count == 0)
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        #expect(committed.count == 1)
        _ = try await registry.update(id: user.id.uuidString, name: nil, roles: ["staff"], active: nil, by: nil)
        #expect(committed.count == 2)
    }

    // MARK: Admin rights

    @Test func anAdminMayNotDemoteOrDeactivateThemselves() async throws {
        let first = try await registry.create(email: "first@example.com", password: "long enough", name: "First", roles: ["admin"])
        _ = try await registry.create(email: "second@example.com", password: "long enough", name: "Second", roles: ["admin"])
        let me = first.id.uuidString
        for change in [
            { try await registry.update(id: me, name: nil, roles: ["customer"], active: nil, by: me) },
            { try await registry.deactivate(id: me, by: me) },
        ] as [@Sendable () async throws -> UserRecord] {
            let error = await Fixtures.appError { _ = try await change() }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.httpStatus == 409)
        }
        #expect(try await registry.get(id: me).isActiveAdmin)
        // Renaming themselves, or keeping admin among other roles, is fine.
        _ = try await registry.update(id: me, name: "Renamed", roles: ["admin", "staff"], active: nil, by: me)
    }

    @Test func noChangeMayLeaveTheLastActiveAdmin() async throws {
        let only = try await registry.create(email: "only@example.com", password: "long enough", name: "Only", roles: ["admin"])
        let someoneElse = UUID().uuidString
        let demotion = await Fixtures.appError {
            _ = try await registry.update(id: only.id.uuidString, name: nil, roles: ["staff"], active: nil, by: someoneElse)
        }
        #expect(demotion?.code == .failedPrecondition)
        let deactivation = await Fixtures.appError { _ = try await registry.deactivate(id: only.id.uuidString, by: nil) }
        #expect(deactivation?.code == .failedPrecondition)

        // With a second admin, the first may go.
        let second = try await registry.create(email: "two@example.com", password: "long enough", name: "Two", roles: ["admin"])
        _ = try await registry.deactivate(id: only.id.uuidString, by: second.id.uuidString)
        // A deactivated admin does not count: the second is now the last one.
        let last = await Fixtures.appError { _ = try await registry.deactivate(id: second.id.uuidString, by: nil) }
        #expect(last?.code == .failedPrecondition)
        #expect(store.outbox.filter { $0.type == "user.deactivated" }.count == 1)
    }

    /// "Z" and 30,000 combining accents is one character but 60,001 bytes: names are bounded in
    /// bytes too (the rule of every free-text field: `TextLimit`).
    @Test func aNameIsBoundedInBytesAsWellAsInCharacters() async throws {
        let heavy = "Z" + String(repeating: "\u{301}", count: 30_000)
        #expect(heavy.count == 1)
        let registration = await Fixtures.appError { _ = try await registry.register(email: "z@example.com", password: "long enough", name: heavy) }
        #expect(registration?.code == .invalidArgument && registration?.details.keys.contains("name") == true)
        let user = try await registry.register(email: "z@example.com", password: "long enough", name: "Zoë")
        let rename = await Fixtures.appError { _ = try await registry.updateProfile(id: user.id.uuidString, name: heavy) }
        #expect(rename?.code == .invalidArgument)
        // The limit itself: 100 characters, 400 bytes.
        #expect(UserRegistry.nameLimit.problem(with: String(repeating: "é", count: 100)) == nil)
        #expect(UserRegistry.nameLimit.problem(with: String(repeating: "😀", count: 100)) == nil)
        #expect(UserRegistry.nameLimit.problem(with: String(repeating: "a", count: 101)) != nil)
        #expect(UserRegistry.nameLimit.problem(with: "a" + String(repeating: "\u{301}", count: 200)) != nil)
    }

    /// `josé` composed (NFC) and decomposed (NFD) look identical: they are one address, stored,
    /// compared and looked up in one form (they were two accounts, and Swift's `==` called them
    /// equal while the stores compared bytes).
    @Test func addressesThatLookIdenticalAreOneAccount() async throws {
        let composed = "jos\u{E9}@example.com"
        let decomposed = "jose\u{301}@EXAMPLE.com"
        #expect(!composed.utf8.elementsEqual(decomposed.utf8))
        let user = try await registry.register(email: composed, password: "long enough", name: "José")
        let again = await Fixtures.appError { _ = try await registry.register(email: decomposed, password: "long enough", name: "Jose") }
        #expect(again?.code == .alreadyExists)
        #expect(try await registry.get(email: decomposed).id == user.id)
        #expect(EmailAddress.normalized(decomposed).utf8.elementsEqual(EmailAddress.normalized(composed).utf8))
        #expect(EmailAddress.normalized(" Ada@Example.COM ") == "ada@example.com")
    }

    // MARK: Usernames

    @Test func aUsernameIsKeptLowercasedFoundInAnyCaseAndCarriedByTheEvent() async throws {
        let user = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada", username: " Ada.L_1-x ")
        #expect(user.username == "ada.l_1-x")
        #expect(try await registry.get(username: "ADA.L_1-X").id == user.id)
        let json = try Fixtures.jsonObject(try #require(store.outbox.first).payload)
        #expect(json["username"] as? String == "ada.l_1-x")
        let without = try await registry.register(email: "bob@example.com", password: "analytical engine", name: "Bob")
        #expect(without.username == nil)
    }

    @Test func aUsernameTakenInAnotherCaseIsRefusedNamingTheField() async throws {
        _ = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada", username: "ada")
        let error = await Fixtures.appError {
            _ = try await registry.register(email: "other@example.com", password: "analytical engine", name: "Other", username: "ADA")
        }
        #expect(error == UserRegistry.usernameTaken)
        #expect(error?.details == ["username": "is already taken"])
        #expect(store.outbox.count == 1)
    }

    @Test(arguments: ["ab", String(repeating: "a", count: 33), "ada lovelace", "ada@home", "ädä", "\u{212A}elvin", ""])
    func aUsernameOutsideTheRulesIsInvalid(_ username: String) async throws {
        let error = await Fixtures.appError {
            _ = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada", username: username)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.keys.sorted() == ["username"])
    }

    @Test func theOwnerMayPickAndChangeTheirUsernameButNotTakeSomeoneElses() async throws {
        let ada = try await registry.register(email: "ada@example.com", password: "analytical engine", name: "Ada")
        _ = try await registry.register(email: "bob@example.com", password: "analytical engine", name: "Bob", username: "bob")
        let picked = try await registry.updateProfile(id: ada.id.uuidString, name: nil, username: "Countess")
        #expect(picked.username == "countess")
        #expect(picked.version == 2)
        let error = await Fixtures.appError { _ = try await registry.updateProfile(id: ada.id.uuidString, name: nil, username: "BOB") }
        #expect(error == UserRegistry.usernameTaken)
        #expect(try await registry.get(id: ada.id.uuidString).username == "countess")
        let json = try Fixtures.jsonObject(try #require(store.outbox.last).payload)
        #expect(json["username"] as? String == "countess")
    }
}
