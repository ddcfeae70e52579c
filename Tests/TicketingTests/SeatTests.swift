import DatabaseKit
import EventKit
import EventService
import Foundation
import MariaDB
import PlatformCore
import TestSupport
import Testing

/// Seats on the live MariaDB server, under the interleavings that oversell a naive design: many
/// purchases of the last seats at once, a packet whose event is nearly full, the same purchase
/// retried concurrently, concurrent cancels and check-ins of one ticket, a capacity cut racing
/// purchases.
@Suite("Seats", .needs(.mariadb))
struct SeatTests {
    let staff = Requester(userID: UUID(), roles: ["staff"], locationID: nil)
    let admin = Requester(userID: UUID(), roles: ["admin"], locationID: nil)

    struct Office {
        let programme: Programme
        let boxOffice: BoxOffice
        let client: MariaDBClient
    }

    func withOffice(_ body: (Office) async throws -> Void) async throws {
        let migrations = try ServiceSchemas.migrations(of: "Event", eventTables: .none, dialect: .mariadb)
        try await TestMariaDB.withDatabase(migrations: migrations, poolSize: 8) { client in
            let store = MariaDBTicketingStore(client: client)
            try await body(Office(programme: Programme(store: store), boxOffice: BoxOffice(store: store), client: client))
        }
    }

    func event(_ office: Office, capacity: Int64) async throws -> Event {
        try await office.programme.createEvent(
            EventChange(name: "Gig", location: "Hall", startsAt: "2027-03-01T19:30:00Z", capacity: capacity), by: staff)
    }

    /// A buyer: their own user and client ids, asking for themselves.
    struct Buyer {
        let client = UUID()
        let user = UUID()
        var requester: Requester { Requester(userID: user, roles: ["customer"], locationID: nil) }
    }

    func buy(_ office: Office, _ target: TicketTarget, key: String? = nil, as buyer: Buyer = Buyer()) async throws -> Ticket {
        try await office.boxOffice.issue(
            target, holderClientID: buyer.client.uuidString, holderUserID: buyer.user.uuidString, idempotencyKey: key,
            by: buyer.requester)
    }

    /// Runs `count` purchases at once; returns how many got a ticket and how many were told no seat is left.
    func rush(_ count: Int, _ purchase: @escaping @Sendable () async throws -> Ticket) async throws -> (sold: Int, refused: Int) {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        _ = try await purchase()
                        return true
                    } catch let error as AppError where error.code == .failedPrecondition {
                        return false
                    }
                }
            }
            var sold = 0
            var refused = 0
            for try await got in group { if got { sold += 1 } else { refused += 1 } }
            return (sold, refused)
        }
    }

    func validTickets(_ office: Office) async throws -> Int {
        try await office.client.query("SELECT count(*) AS n FROM tickets WHERE valid").first.map { try $0.required("n", $0.int) } ?? -1
    }

    @Test func twoHundredBuyersOfFiftySeatsGetFiftyTickets() async throws {
        try await withOffice { office in
            let event = try await event(office, capacity: 50)
            let result = try await rush(200) { try await buy(office, .event(event.id)) }
            #expect(result.sold == 50)
            #expect(result.refused == 150)
            let after = try await office.programme.event(event.id.uuidString)
            #expect(after.ticketsSold == 50)
            #expect(after.seatsLeft == 0)
            #expect(try await validTickets(office) == 50)
        }
    }

    @Test func aPacketSellsOnlyWhatItsFullestEventAllows() async throws {
        try await withOffice { office in
            let nearlyFull = try await event(office, capacity: 10)
            let roomy = try await event(office, capacity: 100)
            for _ in 0..<7 { _ = try await buy(office, .event(nearlyFull.id)) }
            let packet = try await office.programme.createPacket(
                PacketChange(name: "Pass"), eventIDs: [nearlyFull.id.uuidString, roomy.id.uuidString], by: staff)
            #expect(packet.seatsLeft == 3)
            // Packet buyers and single-event buyers of the nearly full event race for its 3 seats.
            async let packets = rush(40) { try await buy(office, .packet(packet.id)) }
            async let singles = rush(40) { try await buy(office, .event(nearlyFull.id)) }
            let (packetResult, singleResult) = try await (packets, singles)
            #expect(packetResult.sold + singleResult.sold == 3)
            let full = try await office.programme.event(nearlyFull.id.uuidString)
            let other = try await office.programme.event(roomy.id.uuidString)
            let sold = try await office.programme.packet(packet.id.uuidString)
            #expect(full.ticketsSold == 10)
            #expect(other.ticketsSold == Int64(packetResult.sold))
            #expect(sold.ticketsSold == Int64(packetResult.sold))
            #expect(sold.seatsLeft == 0)
        }
    }

    @Test func aPacketsOwnCapacityHoldsUnderConcurrency() async throws {
        try await withOffice { office in
            let first = try await event(office, capacity: 100)
            let second = try await event(office, capacity: 100)
            let packet = try await office.programme.createPacket(
                PacketChange(name: "Pass", capacity: .some(5)), eventIDs: [first.id.uuidString, second.id.uuidString], by: staff)
            let result = try await rush(60) { try await buy(office, .packet(packet.id)) }
            #expect(result.sold == 5)
            #expect(try await office.programme.event(first.id.uuidString).ticketsSold == 5)
            #expect(try await office.programme.event(second.id.uuidString).ticketsSold == 5)
        }
    }

    @Test func theSamePurchaseRetriedAtOnceTakesOneSeat() async throws {
        try await withOffice { office in
            let event = try await event(office, capacity: 10)
            let buyer = Buyer()
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await buy(office, .event(event.id), key: "retry-1", as: buyer).code } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(codes.count == 1)
            #expect(try await office.programme.event(event.id.uuidString).ticketsSold == 1)
        }
    }

    @Test func concurrentCancelsGiveTheSeatBackOnce() async throws {
        try await withOffice { office in
            let event = try await event(office, capacity: 3)
            let buyer = Buyer()
            let ticket = try await buy(office, .event(event.id), as: buyer)
            _ = try await buy(office, .event(event.id))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { _ = try await office.boxOffice.cancel(ticket.code, by: buyer.requester) } }
                try await group.waitForAll()
            }
            #expect(try await office.programme.event(event.id.uuidString).ticketsSold == 1)
            let cancelled = try await office.boxOffice.ticket(ticket.code, by: buyer.requester)
            #expect(!cancelled.valid)
            #expect(cancelled.cancelledAt != nil)
        }
    }

    @Test func aTicketIsCheckedInOnceWhateverTheRace() async throws {
        try await withOffice { office in
            let event = try await event(office, capacity: 3)
            let ticket = try await buy(office, .event(event.id))
            let result = try await rush(10) { try await office.boxOffice.checkIn(ticket.code.lowercased(), by: staff) }
            #expect(result.sold == 1)
            #expect(result.refused == 9)
            // A used ticket stays valid: cancelling it is refused.
            let cancel = await Fixtures.appError { _ = try await office.boxOffice.cancel(ticket.code, by: admin) }
            #expect(cancel?.code == .failedPrecondition)
        }
    }

    @Test func aCapacityCutRacingPurchasesNeverLeavesMoreSoldThanSeats() async throws {
        try await withOffice { office in
            let event = try await event(office, capacity: 20)
            async let purchases = rush(40) { try await buy(office, .event(event.id)) }
            async let cut: Event? = try? office.programme.updateEvent(event.id.uuidString, EventChange(capacity: 8), by: staff)
            let (result, _) = try await (purchases, cut)
            let after = try await office.programme.event(event.id.uuidString)
            #expect(after.ticketsSold <= after.capacity)
            #expect(Int64(result.sold) == after.ticketsSold)
            #expect(try await validTickets(office) == result.sold)
        }
    }

    @Test func theRulesOfEditsAndReads() async throws {
        try await withOffice { office in
            let event = try await event(office, capacity: 5)
            let stranger = Requester(userID: UUID(), roles: ["staff"], locationID: nil)
            let notOwner = await Fixtures.appError {
                _ = try await office.programme.updateEvent(event.id.uuidString, EventChange(name: "Mine now"), by: stranger)
            }
            #expect(notOwner?.code == .permissionDenied)
            let customer = await Fixtures.appError {
                _ = try await office.programme.createEvent(
                    EventChange(name: "X", location: "Y", startsAt: "2027-01-01T00:00:00Z", capacity: 1), by: Buyer().requester)
            }
            #expect(customer?.code == .permissionDenied)
            let missing = await Fixtures.appError { _ = try await office.programme.createEvent(EventChange(name: "X"), by: staff) }
            #expect(Set(missing?.details.keys.map { $0 } ?? []) == ["location", "starts_at", "capacity"])

            let buyer = Buyer()
            let ticket = try await buy(office, .event(event.id), as: buyer)
            let packet = try await office.programme.createPacket(PacketChange(name: "Pass"), eventIDs: [event.id.uuidString], by: staff)
            let below = await Fixtures.appError {
                _ = try await office.programme.updateEvent(event.id.uuidString, EventChange(capacity: 0), by: staff)
            }
            #expect(below?.code == .invalidArgument)
            _ = try await buy(office, .packet(packet.id))
            let underSold = await Fixtures.appError {
                _ = try await office.programme.updateEvent(event.id.uuidString, EventChange(capacity: 1), by: staff)
            }
            #expect(underSold?.code == .failedPrecondition)
            let deleteSold = await Fixtures.appError { try await office.programme.deleteEvent(event.id.uuidString, by: admin) }
            #expect(deleteSold?.code == .failedPrecondition)
            let frozen = await Fixtures.appError {
                _ = try await office.programme.changeMembership(
                    packet: packet.id.uuidString, event: event.id.uuidString, adding: false, by: staff)
            }
            #expect(frozen?.code == .failedPrecondition)

            // Someone else's ticket is not found; its event's owner sees it but may not cancel it.
            let snoop = await Fixtures.appError { _ = try await office.boxOffice.ticket(ticket.code, by: Buyer().requester) }
            #expect(snoop?.code == .notFound)
            #expect(try await office.boxOffice.ticket(ticket.code, by: staff).code == ticket.code)
            let ownerCancels = await Fixtures.appError { _ = try await office.boxOffice.cancel(ticket.code, by: staff) }
            #expect(ownerCancels?.code == .permissionDenied)
            #expect(try await office.boxOffice.tickets(try PageRequest(), by: buyer.requester).items.map(\.code) == [ticket.code])
        }
    }

    @Test func ticketCodesAreTwelveUnambiguousCharacters() {
        let codes = (0..<2000).map { _ in TicketCode.random() }
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(code.count == 12)
            #expect(code.allSatisfy { "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains($0) })
        }
    }
}
