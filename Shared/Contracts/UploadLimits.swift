/// The largest upload media takes (it stops reading past it), which the gateway also refuses
/// at once when a request declares more.
public enum UploadLimits {
    public static let imageBytes: Int64 = 10 * 1024 * 1024
    public static let avatarBytes: Int64 = 5 * 1024 * 1024
}
