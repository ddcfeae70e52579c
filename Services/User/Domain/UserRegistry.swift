import Contracts
import EventKit
import FoundationEssentials
import PasswordHashing
import PlatformCore
import SwiftProtobuf

/// The rules for users: registration and admin creation (validated, password hashed here and
/// only here, `user.registered` carrying the hash), profile and admin updates that change only
/// what was given, and deactivation. Every change is published through the store's outbox.
public struct UserRegistry: Sendable {
    public static let nameLimit = TextLimit(characters: 100)

    private let store: any UserStore
    private let hasher: PasswordHasher
    private let eventsCommitted: @Sendable () -> Void
    private let now: @Sendable () -> Date

    /// - Parameter eventsCommitted: called after a transaction that wrote events committed (wakes the relay).
    public init(
        store: any UserStore, hasher: PasswordHasher, eventsCommitted: @escaping @Sendable () -> Void = {},
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.hasher = hasher
        self.eventsCommitted = eventsCommitted
        self.now = now
    }

    /// Self-service registration: role `customer`.
    public func register(email: String, password: String, name: String, username: String? = nil) async throws -> UserRecord {
        try await create(email: email, password: password, name: name, username: username, roles: [Role.customer.rawValue])
    }

    /// Registration with chosen roles (admin creation, the configured first admin).
    public func create(
        email: String, password: String, name: String, username: String? = nil, roles: [String]
    ) async throws -> UserRecord {
        let new = try Self.validated(email: email, password: password, name: name, username: username, roles: roles)
        // Cheap duplicate checks first, so a taken email does not cost a bcrypt hash; the unique indexes decide races.
        if try await store.find(email: new.email) != nil { throw Self.emailTaken }
        if let username = new.username, try await store.find(username: username) != nil { throw Self.usernameTaken }
        let hash = try await hasher.hash(password)
        let time = now()
        let user = UserRecord(
            id: UUID(), email: new.email, username: new.username, name: new.name, roles: new.roles, active: true,
            createdAt: time, updatedAt: time)
        let event = try DomainEvent(
            EventCatalog.userRegistered,
            .with {
                $0.userID = user.id.lowercasedString
                $0.email = user.email
                $0.username = user.username ?? ""
                $0.name = user.name
                $0.roles = user.roles
                $0.passwordHash = hash
                $0.registeredAt = Google_Protobuf_Timestamp(date: time)
                $0.version = user.version
            },
            correlationID: RequestScope.requestID, occurredAt: time)
        try await store.insert(user, event: event)
        eventsCommitted()
        return user
    }

    /// A new user's values in their stored form.
    public struct Registration: Sendable, Equatable {
        public let email: String
        public let name: String
        public let username: String?
        public let roles: [String]
    }

    /// Checks a registration without writing anything: every problem is reported in one
    /// `invalidArgument` error, keyed by field.
    public static func validated(
        email: String, password: String, name: String, username: String?, roles: [String]
    ) throws -> Registration {
        let email = EmailAddress.normalized(email)
        let name = name.trimmingWhitespace()
        var problems: [String: String] = [:]
        if !EmailAddress.isValid(email) { problems["email"] = "must be a valid email address" }
        if let problem = PasswordPolicy.problem(with: password) { problems["password"] = problem }
        if let problem = Self.problem(withName: name) { problems["name"] = problem }
        let username = Self.checked(username, into: &problems)
        var checkedRoles: [String] = []
        do { checkedRoles = try Role.validated(roles) } catch let error as AppError { problems.merge(error.details) { a, _ in a } }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the user is not valid", details: problems) }
        return Registration(email: email, name: name, username: username, roles: checkedRoles)
    }

    public func get(id: String) async throws -> UserRecord {
        guard let id = UUID(uuidString: id), let user = try await store.find(id: id) else { throw Self.notFound }
        return user
    }

    public func get(email: String) async throws -> UserRecord {
        guard let user = try await store.find(email: EmailAddress.normalized(email)) else { throw Self.notFound }
        return user
    }

    /// `username` in any case.
    public func get(username: String) async throws -> UserRecord {
        guard case .success(let username) = Username.validated(username), let user = try await store.find(username: username)
        else { throw Self.notFound }
        return user
    }

    /// The owner's own changes: the name and the username, each only when given.
    public func updateProfile(id: String, name: String?, username: String? = nil) async throws -> UserRecord {
        try await update(id: id, name: name, username: username, roles: nil, active: nil, by: nil)
    }

    /// An admin's partial update: each nil field is left alone. `actor` is the admin making it:
    /// an admin may not take away their own admin role or deactivate themselves, and no change
    /// may leave the platform without an active admin (409 either way).
    public func update(
        id: String, name: String?, username: String? = nil, roles: [String]?, active: Bool?, by actor: String?
    ) async throws -> UserRecord {
        let name = name?.trimmingWhitespace()
        var problems: [String: String] = [:]
        if let name, let problem = Self.problem(withName: name) { problems["name"] = problem }
        let username = Self.checked(username, into: &problems)
        var checkedRoles: [String]?
        if let roles {
            do { checkedRoles = try Role.validated(roles) } catch let error as AppError { problems.merge(error.details) { a, _ in a } }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the change is not valid", details: problems) }
        guard let uuid = UUID(uuidString: id) else { throw Self.notFound }
        let clock = now
        let correlationID = RequestScope.requestID
        let newRoles = checkedRoles
        let byThemselves = actor.flatMap(UUID.init(uuidString:)) == uuid
        let updated = try await store.modify(id: uuid, countingAdmins: newRoles != nil || active == false) { user, otherAdmins in
            let before = user
            if let name { user.name = name }
            if let username { user.username = username }
            if let newRoles { user.roles = newRoles }
            if let active { user.active = active }
            guard user != before else { return [] }
            if before.isActiveAdmin && !user.isActiveAdmin {
                if byThemselves { throw Self.ownAdminRights }
                if otherAdmins == 0 { throw Self.lastAdmin }
            }
            // Under the row lock: the version and the time follow the commit order, and the time
            // never goes back even when the clock does.
            user.version = before.version + 1
            user.updatedAt = max(clock(), before.updatedAt)
            return try Self.events(from: before, to: user, correlationID: correlationID)
        }
        guard let updated else { throw Self.notFound }
        eventsCommitted()  // after a change without events this costs the relay one empty look
        return updated
    }

    public func deactivate(id: String, by actor: String?) async throws -> UserRecord {
        try await update(id: id, name: nil, username: nil, roles: nil, active: false, by: actor)
    }

    public func list(_ query: UserQuery) async throws -> Page<UserRecord> {
        if let role = query.role, Role(rawValue: role) == nil {
            throw AppError(.invalidArgument, "the query is not valid", details: ["role": "unknown role"])
        }
        return try await store.list(query)
    }

    /// Creates the configured first admin when no user has that email yet. Returns true if it did.
    public func ensureAdmin(email: String, password: String, name: String = "Administrator") async throws -> Bool {
        if try await store.find(email: EmailAddress.normalized(email)) != nil { return false }
        do {
            _ = try await create(email: email, password: password, name: name, roles: [Role.admin.rawValue])
            return true
        } catch let error as AppError where error.code == .alreadyExists {
            return false  // another replica created it first
        }
    }

    static func events(from before: UserRecord, to after: UserRecord, correlationID: String?) throws -> [DomainEvent] {
        let time = after.updatedAt
        var events = [
            try DomainEvent(
                EventCatalog.userUpdated,
                .with {
                    $0.userID = after.id.lowercasedString
                    $0.email = after.email
                    $0.username = after.username ?? ""
                    $0.name = after.name
                    $0.roles = after.roles
                    $0.active = after.active
                    $0.updatedAt = Google_Protobuf_Timestamp(date: time)
                    $0.version = after.version
                },
                correlationID: correlationID, occurredAt: time)
        ]
        if before.active && !after.active {
            events.append(
                try DomainEvent(
                    EventCatalog.userDeactivated,
                    .with {
                        $0.userID = after.id.lowercasedString
                        $0.deactivatedAt = Google_Protobuf_Timestamp(date: time)
                        $0.version = after.version
                    },
                    correlationID: correlationID, occurredAt: time))
        }
        return events
    }

    private static func problem(withName name: String) -> String? { nameLimit.problem(with: name) }

    /// The stored form of a given username; its problem goes into `problems`.
    private static func checked(_ username: String?, into problems: inout [String: String]) -> String? {
        switch username.map(Username.validated) {
        case .success(let stored): return stored
        case .failure(let problem): problems["username"] = problem.message
        case nil: break
        }
        return nil
    }

    private static let ownAdminRights = AppError(
        .failedPrecondition, "admins may not remove their own admin role or deactivate themselves")
    private static let lastAdmin = AppError(.failedPrecondition, "the change would leave no active admin")
    public static let emailTaken = AppError(
        .alreadyExists, "a user with this email already exists", details: ["email": "is already taken"])
    public static let usernameTaken = AppError(
        .alreadyExists, "a user with this username already exists", details: ["username": "is already taken"])
    private static let notFound = AppError(.notFound, "no such user")
}
