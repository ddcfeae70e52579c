import PlatformCore

/// Query values, which the generated code hands over as text, parsed the platform's way: every
/// bad value is one 422 detail naming its parameter, all reported at once by `check()`.
public struct QueryValues {
    private var problems: [String: String] = [:]

    public init() {}

    public mutating func integer(_ text: String?, _ name: String) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else {
            problems[name] = "must be an integer"
            return nil
        }
        return value
    }

    /// `true`/`false` (or `1`/`0`), any case.
    public mutating func bool(_ text: String?, _ name: String) -> Bool? {
        switch text?.lowercased() {
        case nil: return nil
        case "true", "1": return true
        case "false", "0": return false
        default:
            problems[name] = "must be true or false"
            return nil
        }
    }

    /// The `page` and `page_size` parameters (defaults, ranges: `PageRequest`).
    public mutating func paging(page: String?, pageSize: String?) -> PageRequest? {
        let page = integer(page, "page")
        let size = integer(pageSize, "page_size")
        do {
            return try PageRequest(page: page, size: size)
        } catch {
            problems.merge(error.details) { first, _ in first }
            return nil
        }
    }

    public func check() throws(AppError) {
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the query is not valid", details: problems) }
    }
}
