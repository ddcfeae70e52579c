/// The bound of a free-text field, the same rule everywhere on the platform: at most `characters`
/// characters (what a person sees) and at most 4 bytes of UTF-8 per allowed character, so a few
/// characters built of thousands of combining marks cannot slip through a character count.
public struct TextLimit: Sendable, Equatable {
    public let characters: Int

    public init(characters: Int) { self.characters = characters }

    public var bytes: Int { characters * 4 }

    /// The problem with `text` (already trimmed), or nil; `required` refuses an empty text.
    public func problem(with text: String, required: Bool = true) -> String? {
        if required && text.isEmpty { return "is required" }
        if text.count > characters || text.utf8.count > bytes {
            return "must be at most \(characters) characters and \(bytes) bytes of UTF-8"
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        return nil
    }
}
