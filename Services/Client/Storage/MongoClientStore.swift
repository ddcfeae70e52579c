import DatabaseKit
import FoundationEssentials
import Mongo
import PlatformCore

/// Clients in the `clients` collection of the service's MongoDB database, one document each
/// (`_id` = the client id): the tickets and the purchases under way are arrays inside it, so
/// every write is one atomic document update.
public struct MongoClientStore: ClientStore {
    private let collection: MongoCollection

    public init(client: MongoClient) { collection = client.collection("clients") }

    /// The unique email, the unique (when set) user, and the purchases the reconciler looks for.
    public func prepare() async throws {
        try await collection.createIndex(keys: ["email": .int32(1)], name: "clients_email", unique: true)
        try await collection.createIndex(keys: ["user_id": .int32(1)], name: "clients_user", unique: true, sparse: true)
        try await collection.createIndex(keys: ["purchases.started_at": .int32(1)], name: "clients_purchases")
    }

    public func client(id: UUID) async throws -> Client? {
        try await collection.findOne(["_id": .string(id.lowercasedString)]).map(Self.client)
    }

    public func client(userID: UUID) async throws -> Client? {
        try await collection.findOne(["user_id": .string(userID.lowercasedString)]).map(Self.client)
    }

    public func purchase(client: UUID, key: String) async throws -> PurchaseState? {
        let withKey: BSON = .document(["$elemMatch": .document(["key": .string(key)])])
        guard
            let document = try await collection.find(
                ["_id": .string(client.lowercasedString)], limit: 1,
                projection: ["user_id": .int32(1), "tickets": withKey, "purchases": withKey]
            ).first
        else { return nil }
        return PurchaseState(
            userID: document["user_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
            ticket: try document["tickets"]?.arrayValue?.first?.documentValue.map(Self.ticket),
            pending: try document["purchases"]?.arrayValue?.first?.documentValue.map(Self.pending))
    }

    public func insert(_ client: Client) async throws {
        var document: BSONDocument = [
            "_id": .string(client.id.lowercasedString), "email": .string(client.email),
            "is_name_public": .bool(client.isNamePublic), "is_social_public": .bool(client.isSocialPublic),
            "tickets": .array([]), "purchases": .array([]), "created_at": .date(client.createdAt),
            "updated_at": .date(client.updatedAt),
        ]
        if let user = client.userID { document["user_id"] = .string(user.lowercasedString) }
        if let first = client.firstName { document["first_name"] = .string(first) }
        if let last = client.lastName { document["last_name"] = .string(last) }
        if let links = client.socialLinks { document["social_links"] = .document(Self.links(links)) }
        try await Self.mappingTaken { try await collection.insertOne(document) }
    }

    public func update(id: UUID, _ fields: ClientFields, at time: Date) async throws -> Client? {
        var set: BSONDocument = ["updated_at": .date(time)]
        var unset = BSONDocument()
        if let email = fields.email { set["email"] = .string(email) }
        if let isNamePublic = fields.isNamePublic { set["is_name_public"] = .bool(isNamePublic) }
        if let isSocialPublic = fields.isSocialPublic { set["is_social_public"] = .bool(isSocialPublic) }
        for (key, value) in [("first_name", fields.firstName), ("last_name", fields.lastName)] {
            switch value {
            case .none: break
            case .some(.none): unset[key] = .string("")
            case .some(.some(let text)): set[key] = .string(text)
            }
        }
        switch fields.socialLinks {
        case .none: break
        case .some(.none): unset["social_links"] = .string("")
        case .some(.some(let links)): set["social_links"] = .document(Self.links(links))
        }
        var update: BSONDocument = ["$set": .document(set)]
        if !unset.isEmpty { update["$unset"] = .document(unset) }
        let filter: BSONDocument = ["_id": .string(id.lowercasedString)]
        let result = try await Self.mappingTaken { try await collection.updateOne(filter: filter, update: update) }
        guard result.matched > 0 else { return nil }
        return try await client(id: id)
    }

    public func claim(email: String, by userID: UUID, at time: Date) async throws -> Client? {
        let result = try await Self.mappingTaken {
            try await collection.updateOne(
                filter: ["email": .string(email), "user_id": .document(["$exists": .bool(false)])],
                update: ["$set": .document(["user_id": .string(userID.lowercasedString), "updated_at": .date(time)])])
        }
        guard result.matched > 0 else { return nil }
        return try await client(userID: userID)
    }

    public func clients(_ paging: PageRequest, search: String?) async throws -> Page<Client> {
        var filter = BSONDocument()
        if let search {
            let pattern: BSON = .document(["$regex": .string(Self.literalPattern(search)), "$options": .string("i")])
            filter["$or"] = .array(["email", "first_name", "last_name"].map { .document([$0: pattern]) })
        }
        let total = try await collection.countDocuments(filter)
        let documents = try await collection.find(
            filter, sort: ["email": .int32(1)], skip: paging.offset, limit: paging.size)
        return Page(items: try documents.map(Self.client), request: paging, total: total)
    }

    public func delete(id: UUID) async throws -> Bool {
        try await collection.deleteOne(["_id": .string(id.lowercasedString)]) > 0
    }

    public func beginPurchase(client: UUID, _ purchase: PendingPurchase) async throws -> Bool {
        let id = BSON.string(client.lowercasedString)
        var entry = Self.target(purchase.target)
        entry["key"] = .string(purchase.key)
        entry["started_at"] = .date(purchase.startedAt)
        let result = try await collection.updateOne(
            filter: ["_id": id, "purchases.key": .document(["$ne": .string(purchase.key)])],
            update: ["$push": .document(["purchases": .document(entry)])])
        if result.matched > 0 { return true }
        return try await collection.findOne(["_id": id]) != nil
    }

    public func completePurchase(client: UUID, key: String, ticket: ClientTicket) async throws -> Bool {
        let id = BSON.string(client.lowercasedString)
        var entry = Self.target(ticket.target)
        entry["code"] = .string(ticket.code)
        entry["key"] = .string(ticket.key)
        entry["purchased_at"] = .date(ticket.purchasedAt)
        let pull: BSONDocument = ["purchases": .document(["key": .string(key)])]
        let recorded = try await collection.updateOne(
            filter: ["_id": id, "tickets.code": .document(["$ne": .string(ticket.code)])],
            update: [
                "$push": .document(["tickets": .document(entry)]), "$pull": .document(pull),
                "$set": .document(["updated_at": .date(ticket.purchasedAt)]),
            ])
        if recorded.matched > 0 { return true }
        // Recorded before (a retry that lost the race): only the purchase note is left to drop.
        return try await collection.updateOne(filter: ["_id": id], update: ["$pull": .document(pull)]).matched > 0
    }

    public func abandonPurchase(client: UUID, key: String) async throws {
        try await collection.updateOne(
            filter: ["_id": .string(client.lowercasedString)],
            update: ["$pull": .document(["purchases": .document(["key": .string(key)])])])
    }

    public func pendingPurchases(startedBefore time: Date, limit: Int) async throws -> [(client: Client, purchase: PendingPurchase)] {
        let documents = try await collection.find(
            ["purchases.started_at": .document(["$lt": .date(time)])], sort: ["purchases.started_at": .int32(1)], limit: limit)
        return try documents.map(Self.client).flatMap { client in
            client.pendingPurchases.filter { $0.startedAt < time }.map { (client, $0) }
        }
    }

    // MARK: Documents

    static func client(_ document: BSONDocument) throws -> Client {
        func required<T>(_ key: String, _ value: T?) throws -> T {
            guard let value else { throw DatabaseError(.decodingFailed, "client document without a valid `\(key)`") }
            return value
        }
        return Client(
            id: try required("_id", document["_id"]?.stringValue.flatMap(UUID.init(uuidString:))),
            userID: document["user_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
            email: try required("email", document["email"]?.stringValue),
            firstName: document["first_name"]?.stringValue, lastName: document["last_name"]?.stringValue,
            isNamePublic: document["is_name_public"]?.boolValue ?? false,
            socialLinks: document["social_links"]?.documentValue.map { links in
                Dictionary(uniqueKeysWithValues: links.compactMap { key, value in value.stringValue.map { (key, $0) } })
            },
            isSocialPublic: document["is_social_public"]?.boolValue ?? false,
            tickets: try (document["tickets"]?.arrayValue ?? []).map { value in
                try ticket(try required("tickets", value.documentValue))
            },
            pendingPurchases: try (document["purchases"]?.arrayValue ?? []).map { value in
                try pending(try required("purchases", value.documentValue))
            },
            createdAt: try required("created_at", document["created_at"]?.dateValue),
            updatedAt: try required("updated_at", document["updated_at"]?.dateValue))
    }

    static func ticket(_ entry: BSONDocument) throws -> ClientTicket {
        guard let code = entry["code"]?.stringValue, let target = target(entry), let purchasedAt = entry["purchased_at"]?.dateValue
        else { throw DatabaseError(.decodingFailed, "a ticket of a client document lacks its code, target or time") }
        return ClientTicket(code: code, target: target, purchasedAt: purchasedAt, key: entry["key"]?.stringValue ?? "")
    }

    static func pending(_ entry: BSONDocument) throws -> PendingPurchase {
        guard let key = entry["key"]?.stringValue, let target = target(entry), let startedAt = entry["started_at"]?.dateValue
        else { throw DatabaseError(.decodingFailed, "a purchase of a client document lacks its key, target or time") }
        return PendingPurchase(key: key, target: target, startedAt: startedAt)
    }

    static func target(_ target: TicketTarget) -> BSONDocument {
        switch target {
        case .event(let id): ["event_id": .string(id.lowercasedString), "packet_id": .null]
        case .packet(let id): ["event_id": .null, "packet_id": .string(id.lowercasedString)]
        }
    }

    static func target(_ entry: BSONDocument) -> TicketTarget? {
        if let event = entry["event_id"]?.stringValue.flatMap(UUID.init(uuidString:)) { return .event(event) }
        if let packet = entry["packet_id"]?.stringValue.flatMap(UUID.init(uuidString:)) { return .packet(packet) }
        return nil
    }

    static func links(_ links: [String: String]) -> BSONDocument {
        BSONDocument(links.sorted { $0.key < $1.key }.map { ($0.key, BSON.string($0.value)) })
    }

    /// `text` as a regular expression that matches itself literally.
    static func literalPattern(_ text: String) -> String {
        var pattern = ""
        for character in text {
            if !(character.isLetter || character.isNumber || character == " ") { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }

    static func mappingTaken<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            throw AppError(.alreadyExists, "a client with this email or account exists", details: ["email": "is taken"])
        }
    }
}
