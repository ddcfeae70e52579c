import FoundationEssentials
import PlatformCore

/// Issues tickets at the event service; the client service records them.
public protocol TicketIssuer: Sendable {
    /// The ticket issued under `key` (the same key always answers the same ticket).
    func issue(_ target: TicketTarget, client: UUID, user: UUID?, key: String, by requester: Requester) async throws
        -> (code: String, issuedAt: Date)
    func cancel(code: String, by requester: Requester) async throws
}

/// Buying a ticket for a client: the client themself or an admin. The purchase is noted on the
/// client before the event service is asked, and the ticket recorded after; a purchase left
/// between the two (a crash, a lost answer) is finished by a retry with the same key or by
/// `reconcile`, which asks again under the same key, so no issued ticket is left without its client.
public struct TicketSales: Sendable {
    public static let idempotencyKeyLimit = 128

    private let store: any ClientStore
    private let issuer: any TicketIssuer
    private let now: @Sendable () -> Date

    public init(store: any ClientStore, issuer: any TicketIssuer, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.issuer = issuer
        self.now = now
    }

    public func buy(
        for clientID: String, _ target: TicketTarget, idempotencyKey: String?, by requester: Requester
    ) async throws -> ClientTicket {
        try requester.requireSignedIn()
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > Self.idempotencyKeyLimit {
            throw AppError(
                .invalidArgument, "the Idempotency-Key is not valid",
                details: ["Idempotency-Key": "must be 1 to \(Self.idempotencyKeyLimit) bytes"])
        }
        let key = idempotencyKey ?? UUID().uuidString
        guard let id = UUID(uuidString: clientID), let state = try await store.purchase(client: id, key: key),
            ClientRegistry.mayManage(userID: state.userID, requester)
        else { throw ClientRegistry.notFound }
        if let bought = state.ticket { return bought }
        let purchase = state.pending ?? PendingPurchase(key: key, target: target, startedAt: now())
        guard try await store.beginPurchase(client: id, purchase) else { throw ClientRegistry.notFound }
        return try await finish(purchase, client: id, user: state.userID, by: requester)
    }

    /// Finishes the purchases begun more than `age` ago: each gets its ticket, or is dropped when
    /// the event service refuses it for good (no seat, gone). Returns how many were settled.
    @discardableResult
    public func reconcile(olderThan age: Duration, limit: Int = 100) async throws -> Int {
        let cutoff = now().addingTimeInterval(-Double(age.components.seconds))
        var settled = 0
        for (client, purchase) in try await store.pendingPurchases(startedBefore: cutoff, limit: limit) {
            let requester = Requester(userID: client.userID, roles: [Role.admin.rawValue], locationID: nil)
            do {
                _ = try await finish(purchase, client: client.id, user: client.userID, by: requester)
                settled += 1
            } catch let error as AppError where Self.isFinal(error) {
                settled += 1
            }
        }
        return settled
    }

    private func finish(_ purchase: PendingPurchase, client: UUID, user: UUID?, by requester: Requester) async throws
        -> ClientTicket
    {
        let issued: (code: String, issuedAt: Date)
        do {
            issued = try await issuer.issue(
                purchase.target, client: client, user: user, key: "client:\(client.lowercasedString):\(purchase.key)",
                by: requester)
        } catch let error as AppError where Self.isFinal(error) {
            try await store.abandonPurchase(client: client, key: purchase.key)
            throw error
        }
        // Whole milliseconds, as the client document keeps it: a replay answers exactly the same.
        let purchasedAt = Date(timeIntervalSince1970: (issued.issuedAt.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let ticket = ClientTicket(code: issued.code, target: purchase.target, purchasedAt: purchasedAt, key: purchase.key)
        guard try await store.completePurchase(client: client, key: purchase.key, ticket: ticket) else {
            // The client was deleted meanwhile: the seat goes back rather than to nobody.
            try await issuer.cancel(code: issued.code, by: Requester(userID: nil, roles: [Role.admin.rawValue], locationID: nil))
            throw ClientRegistry.notFound
        }
        return ticket
    }

    /// Refusals that asking again will not change.
    static func isFinal(_ error: AppError) -> Bool {
        [.failedPrecondition, .notFound, .invalidArgument, .permissionDenied].contains(error.code)
    }
}
