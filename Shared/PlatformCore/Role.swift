/// The roles, most privileged first.
public enum Role: String, Sendable, CaseIterable, Codable {
    case admin
    case staff
    case terminal
    case customer

    /// The most privileged of `roles` (the `role` field of `ValidateToken`), or `customer`.
    public static func primary(of roles: [String]) -> String {
        allCases.first { roles.contains($0.rawValue) }?.rawValue ?? Role.customer.rawValue
    }

    /// The roles a user account may hold; `terminal` belongs to café terminals' sessions only.
    public static let accountRoles: [Role] = [.admin, .staff, .customer]

    /// Checks and normalises an account's role list for storage: known account roles, no
    /// duplicates, stable order.
    public static func validated(_ roles: [String], field: String = "roles") throws -> [String] {
        let allowed = accountRoles.map(\.rawValue)
        let unknown = roles.filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            throw AppError(
                .invalidArgument, "unknown role",
                details: [field: "unknown role '\(unknown[0].prefix(32))'; allowed: \(allowed.joined(separator: ", "))"])
        }
        guard !roles.isEmpty else { throw AppError(.invalidArgument, "no role", details: [field: "must name at least one role"]) }
        return allowed.filter(roles.contains)
    }
}
