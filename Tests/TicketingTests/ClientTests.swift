import ClientService
import DatabaseKit
import Foundation
import Mongo
import PlatformCore
import Synchronization
import TestSupport
import Testing

/// Issues tickets like the event service does (one per key), and can lose its answer after
/// issuing, the failure between "asked" and "recorded" that left orphans in the seed.
final class FakeIssuer: TicketIssuer, Sendable {
    struct State {
        var issued: [String: (code: String, issuedAt: Date)] = [:]
        var seats = 100
        var loseNextAnswer = false
        var cancelled: [String] = []
    }

    let state = Mutex(State())

    func issue(_ target: TicketTarget, client: UUID, user: UUID?, key: String, by requester: Requester) async throws
        -> (code: String, issuedAt: Date)
    {
        try state.withLock { state in
            let ticket: (code: String, issuedAt: Date)
            if let issued = state.issued[key] {
                ticket = issued
            } else {
                guard state.seats > 0 else { throw AppError(.failedPrecondition, "no seats left") }
                state.seats -= 1
                ticket = (String(UUID().uuidString.prefix(12)), Date())
                state.issued[key] = ticket
            }
            if state.loseNextAnswer {
                state.loseNextAnswer = false
                throw AppError(.unavailable, "the answer was lost")
            }
            return ticket
        }
    }

    func cancel(code: String, by requester: Requester) async throws {
        state.withLock { $0.cancelled.append(code) }
    }
}

/// Client profiles and purchases on the MongoDB test server (the development server in CI, a
/// real mongod when `MONGO_TEST_URL` is set: see MongoTests).
@Suite("Clients", .needs(.mongo))
struct ClientTests {
    struct Desk {
        let registry: ClientRegistry
        let sales: TicketSales
        let issuer: FakeIssuer
        let store: MongoClientStore
    }

    func withDesk(_ body: (Desk) async throws -> Void) async throws {
        try await TestMongo.withEmptyDatabase { url in
            let client = try MongoClient(configuration: try MongoConfiguration(url: url))
            let store = MongoClientStore(client: client)
            try await store.prepare()
            let issuer = FakeIssuer()
            try await withCleanUp {
                try await body(
                    Desk(
                        registry: ClientRegistry(store: store, tickets: issuer), sales: TicketSales(store: store, issuer: issuer),
                        issuer: issuer, store: store))
            } cleanUp: {
                await client.shutdown()
            }
        }
    }

    static func account() -> Requester {
        Requester(userID: UUID(), roles: ["customer"], locationID: nil, email: "c-\(UUID().uuidString.prefix(8))@example.com")
    }

    let admin = Requester(userID: UUID(), roles: ["admin"], locationID: nil, email: "admin@example.com")

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func thePublicViewShowsOnlyWhatIsPublic(namePublic: Bool, socialPublic: Bool) async throws {
        try await withDesk { desk in
            let client = try await desk.registry.putMine(
                ClientFields(
                    firstName: "Ada", lastName: "Lovelace", isNamePublic: namePublic, socialLinks: ["github": "https://github.com/ada"],
                    isSocialPublic: socialPublic),
                by: Self.account())
            let view = try await desk.registry.publicView(client.id.uuidString)
            #expect(view.firstName == (namePublic ? "Ada" : nil))
            #expect(view.lastName == (namePublic ? "Lovelace" : nil))
            #expect(view.socialLinks == (socialPublic ? ["github": "https://github.com/ada"] : nil))
        }
    }

    @Test func aPartialUpdateLeavesOmittedFieldsAndClearsNulls() async throws {
        try await withDesk { desk in
            let me = Self.account()
            let created = try await desk.registry.putMine(
                ClientFields(firstName: "Ada", lastName: "Lovelace", socialLinks: ["web": "https://ada.example"]), by: me)
            #expect(created.email == EmailAddress.normalized(me.email ?? ""))
            #expect(created.userID == me.userID)
            let changed = try await desk.registry.putMine(ClientFields(lastName: .some(nil), isNamePublic: true), by: me)
            #expect(changed.id == created.id)
            #expect(changed.firstName == "Ada")
            #expect(changed.lastName == nil)
            #expect(changed.socialLinks == ["web": "https://ada.example"])
            #expect(changed.isNamePublic)
            let bad = await Fixtures.appError {
                _ = try await desk.registry.putMine(ClientFields(socialLinks: ["web": "javascript:alert(1)"]), by: me)
            }
            #expect(bad?.details["social_links.web"] != nil)
        }
    }

    @Test func anAccountClaimsTheProfileAnAdminMadeForItsEmail() async throws {
        try await withDesk { desk in
            let me = Self.account()
            let made = try await desk.registry.create(ClientFields(email: me.email, firstName: "Grace"), by: admin)
            #expect(made.userID == nil)
            let claimed = try await desk.registry.putMine(ClientFields(lastName: "Hopper"), by: me)
            #expect(claimed.id == made.id)
            #expect(claimed.userID == me.userID)
            #expect(claimed.firstName == "Grace")
            let taken = await Fixtures.appError { _ = try await desk.registry.create(ClientFields(email: me.email), by: admin) }
            #expect(taken?.code == .alreadyExists)
        }
    }

    @Test func someoneElsesClientIsNotFound() async throws {
        try await withDesk { desk in
            let owner = Self.account()
            let client = try await desk.registry.putMine(ClientFields(firstName: "Ada"), by: owner)
            let other = Self.account()
            let read = await Fixtures.appError { _ = try await desk.registry.client(client.id.uuidString, by: other) }
            #expect(read?.code == .notFound)
            let buy = await Fixtures.appError {
                _ = try await desk.sales.buy(for: client.id.uuidString, .event(UUID()), idempotencyKey: nil, by: other)
            }
            #expect(buy?.code == .notFound)
            #expect(desk.issuer.state.withLock { $0.issued.isEmpty })
            #expect(try await desk.registry.client(client.id.uuidString, by: admin).id == client.id)
        }
    }

    @Test func aLostAnswerLeavesNoTicketWithoutItsClient() async throws {
        try await withDesk { desk in
            let me = Self.account()
            let client = try await desk.registry.putMine(ClientFields(firstName: "Ada"), by: me)
            let event = TicketTarget.event(UUID())

            // Issued, then the answer is lost: the purchase stays noted, the reconciler records it.
            desk.issuer.state.withLock { $0.loseNextAnswer = true }
            let lost = await Fixtures.appError { _ = try await desk.sales.buy(for: client.id.uuidString, event, idempotencyKey: "k1", by: me) }
            #expect(lost?.code == .unavailable)
            #expect(try await desk.registry.mine(by: me).pendingPurchases.map(\.key) == ["k1"])
            #expect(try await desk.sales.reconcile(olderThan: .zero) == 1)
            let reconciled = try await desk.registry.mine(by: me)
            #expect(reconciled.pendingPurchases.isEmpty)
            #expect(reconciled.tickets.map(\.code) == desk.issuer.state.withLock { $0.issued.values.map(\.code) })

            // Lost again, then the buyer retries with the same key: the same ticket, one seat.
            desk.issuer.state.withLock { $0.loseNextAnswer = true }
            _ = await Fixtures.appError { _ = try await desk.sales.buy(for: client.id.uuidString, event, idempotencyKey: "k2", by: me) }
            let retried = try await desk.sales.buy(for: client.id.uuidString, event, idempotencyKey: "k2", by: me)
            let again = try await desk.sales.buy(for: client.id.uuidString, event, idempotencyKey: "k2", by: me)
            #expect(retried == again)
            let final = try await desk.registry.mine(by: me)
            #expect(final.tickets.count == 2)
            #expect(desk.issuer.state.withLock { $0.issued.count } == 2)
            #expect(final.pendingPurchases.isEmpty)
        }
    }

    @Test func noSeatDropsThePurchase() async throws {
        try await withDesk { desk in
            let me = Self.account()
            let client = try await desk.registry.putMine(ClientFields(firstName: "Ada"), by: me)
            desk.issuer.state.withLock { $0.seats = 0 }
            let full = await Fixtures.appError {
                _ = try await desk.sales.buy(for: client.id.uuidString, .event(UUID()), idempotencyKey: "k", by: me)
            }
            #expect(full?.code == .failedPrecondition)
            #expect(try await desk.registry.mine(by: me).pendingPurchases.isEmpty)
        }
    }

    @Test func theSamePurchaseAtOnceIsRecordedOnce() async throws {
        try await withDesk { desk in
            let me = Self.account()
            let client = try await desk.registry.putMine(ClientFields(firstName: "Ada"), by: me)
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await desk.sales.buy(for: client.id.uuidString, .event(UUID()), idempotencyKey: "same", by: me).code
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(codes.count == 1)
            let after = try await desk.registry.mine(by: me)
            #expect(after.tickets.map(\.code) == Array(codes))
            #expect(after.pendingPurchases.isEmpty)
        }
    }

    @Test func deletingAClientCancelsItsTickets() async throws {
        try await withDesk { desk in
            let me = Self.account()
            let client = try await desk.registry.putMine(ClientFields(firstName: "Ada"), by: me)
            let ticket = try await desk.sales.buy(for: client.id.uuidString, .event(UUID()), idempotencyKey: nil, by: me)
            try await desk.registry.delete(client.id.uuidString, by: admin)
            #expect(desk.issuer.state.withLock { $0.cancelled } == [ticket.code])
            let gone = await Fixtures.appError { _ = try await desk.registry.mine(by: me) }
            #expect(gone?.code == .notFound)
        }
    }
}
