/// Which page of a list a caller wants: `page` from 1, `page_size`
/// 1…100, 20 by default. Every list, REST or gRPC, is validated here, so a bad value is the same
/// 422 naming the parameter everywhere.
public struct PageRequest: Sendable, Equatable {
    public static let defaultSize = 20
    public static let maximumSize = 100
    /// What the wire's page number (int32) holds; a larger one once trapped the gateway.
    public static let maximumPage = Int(Int32.max)

    public let page: Int
    public let size: Int

    /// Nil takes the default.
    public init(page: Int? = nil, size: Int? = nil) throws(AppError) {
        let page = page ?? 1
        let size = size ?? Self.defaultSize
        var problems: [String: String] = [:]
        if !(1...Self.maximumPage).contains(page) { problems["page"] = "must be between 1 and \(Self.maximumPage)" }
        if !(1...Self.maximumSize).contains(size) { problems["page_size"] = "must be between 1 and \(Self.maximumSize)" }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the paging is not valid", details: problems) }
        self.page = page
        self.size = size
    }

    /// Rows to skip before this page.
    public var offset: Int { (page - 1) * size }
}

/// One page of a list and how many items match in all.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var request: PageRequest
    public var total: Int

    public init(items: [Item], request: PageRequest, total: Int) {
        self.items = items
        self.request = request
        self.total = total
    }

    public func map<Other>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(items: try items.map(transform), request: request, total: total)
    }
}

extension Page: Equatable where Item: Equatable {}
