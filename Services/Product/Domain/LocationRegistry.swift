import EventKit
import FoundationEssentials
import PasswordHashing
import PlatformCore

/// The cafés and their terminals' access codes. A code is stored only as a bcrypt hash and never
/// leaves the service; changing it or deactivating the café publishes `location.access_changed`
/// (idm ends the café's terminal sessions) with the change.
public struct LocationRegistry: Sendable {
    public static let nameLimit = TextLimit(characters: 100)
    public static let addressLimit = TextLimit(characters: 200)
    public static let accessCodeLength = 6...64

    private let store: any CatalogStore
    private let hasher: PasswordHasher
    private let eventsCommitted: @Sendable () -> Void
    private let now: @Sendable () -> Date

    public init(
        store: any CatalogStore, hasher: PasswordHasher, eventsCommitted: @escaping @Sendable () -> Void = {},
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.hasher = hasher
        self.eventsCommitted = eventsCommitted
        self.now = now
    }

    /// Active cafés first, then by name.
    public func list() async throws -> [Location] { try await store.locations() }

    public func location(_ id: String) async throws -> Location {
        guard let id = UUID(uuidString: id), let location = try await store.location(id: id) else { throw Self.notFound }
        return location
    }

    public func create(name: String, address: String, accessCode: String) async throws -> Location {
        let change = try Self.checked(LocationChange(name: name, address: address, accessCode: accessCode), creating: true)
        let location = Location(
            id: UUID(), name: change.name ?? "", address: change.address ?? "", active: true, createdAt: now())
        try await store.insert(location, accessCodeHash: try await hasher.hash(accessCode))
        return location
    }

    public func update(_ id: String, _ change: LocationChange) async throws -> Location {
        let change = try Self.checked(change, creating: false)
        guard let id = UUID(uuidString: id) else { throw Self.notFound }
        var hash: String?
        if let code = change.accessCode { hash = try await hasher.hash(code) }
        let time = now()
        let correlationID = RequestScope.requestID
        guard
            let location = try await store.update(
                id: id, change, accessCodeHash: hash, at: time,
                accessChanged: { location in
                    try DomainEvent(
                        EventCatalog.locationAccessChanged,
                        .with {
                            $0.locationID = location.id.lowercasedString
                            $0.active = location.active
                            $0.changedAt = .init(date: time)
                        },
                        correlationID: correlationID, occurredAt: time)
                })
        else { throw Self.notFound }
        eventsCommitted()
        return location
    }

    public func deactivate(_ id: String) async throws -> Location {
        try await update(id, LocationChange(active: false))
    }

    /// A terminal's login: the café, when `code` is its access code and it is active. A wrong
    /// code and an unknown or inactive café are the same 401, after the same work.
    public func verifyAccess(location id: String, code: String) async throws -> Location {
        guard let id = UUID(uuidString: id), let (location, hash) = try await store.accessCodeHash(of: id),
            Self.accessCodeLength.contains(code.count), PasswordPolicy.mayMatch(code)
        else {
            try await hasher.spendVerificationTime(code)
            throw Self.refused
        }
        guard try await hasher.verify(code, against: hash), location.active else { throw Self.refused }
        return location
    }

    static func checked(_ change: LocationChange, creating: Bool) throws(AppError) -> LocationChange {
        var checked = change
        var problems: [String: String] = [:]
        checked.name = change.name?.trimmingWhitespace()
        checked.address = change.address?.trimmingWhitespace()
        if let name = checked.name, let problem = nameLimit.problem(with: name) { problems["name"] = problem }
        if let address = checked.address, let problem = addressLimit.problem(with: address) { problems["address"] = problem }
        if let code = change.accessCode, !accessCodeLength.contains(code.count) || !PasswordPolicy.mayMatch(code) {
            problems["access_code"] =
                "must be \(accessCodeLength.lowerBound) to \(accessCodeLength.upperBound) characters (at most 72 bytes, no NUL)"
        }
        if creating {
            for (field, value) in [("name", change.name), ("address", change.address), ("access_code", change.accessCode)]
            where value == nil {
                problems[field] = "is required"
            }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the café is not valid", details: problems) }
        return checked
    }

    static let notFound = AppError(.notFound, "no such location")
    static let refused = AppError(.unauthenticated, "invalid café or access code")
}
