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

    /// Whether `password` could be a stored password at all. bcrypt reads only up to the first NUL
    /// and at most 72 bytes, so without this check a longer or NUL-carrying candidate would match
    /// the password it starts with. Refused alike with a wrong password, after the same work.
    public static func mayMatch(_ password: String) -> Bool {
        password.utf8.count <= maximumBytes && !password.utf8.contains(0)
    }
}
