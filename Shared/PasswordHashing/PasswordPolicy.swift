/// What a new password must satisfy, the same at registration, admin creation and change.
public enum PasswordPolicy {
    public static let minimumLength = 8
    /// bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
    public static let maximumBytes = 72

    /// The problem with `password`, or nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "must be at least \(minimumLength) characters" }
        if password.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes" }
        if password.utf8.contains(0) { return "must not contain NUL characters" }
        return nil
    }
}
