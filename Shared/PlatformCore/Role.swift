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

    /// Checks and normalises a role list for storage: known names, no duplicates, stable order.
    public static func validated(_ roles: [String], field: String = "roles") throws -> [String] {
        let unknown = roles.filter { Role(rawValue: $0) == nil }
        guard unknown.isEmpty else {
            throw AppError(
                .invalidArgument, "unknown role",
                details: [field: "unknown role '\(unknown[0].prefix(32))'; allowed: \(allCases.map(\.rawValue).joined(separator: ", "))"])
        }
        guard !roles.isEmpty else { throw AppError(.invalidArgument, "no role", details: [field: "must name at least one role"]) }
        return allCases.map(\.rawValue).filter(roles.contains)
    }
}
