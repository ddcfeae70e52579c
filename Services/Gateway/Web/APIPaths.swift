import PlatformAPI

/// The document's path templates (`/api/orders/{id}`) and the methods of each, for the edge
/// middleware that answer by path before a route is matched (CORS preflights, 405).
struct APIPaths: Sendable {
    private let entries: [(template: [Substring], methods: [String])]

    init(_ document: APIDocument) {
        var byPath: [String: Set<String>] = [:]
        for operation in document.operations.values { byPath[operation.path, default: []].insert(operation.method.uppercased()) }
        // Literal segments first: `/api/orders/mine` before `/api/orders/{id}`.
        entries = byPath.map { (template: $0.key.split(separator: "/"), methods: $0.value.sorted()) }
            .sorted { $0.template.count { $0.hasPrefix("{") } < $1.template.count { $0.hasPrefix("{") } }
    }

    /// The methods the document gives `path`, nil when no template matches it.
    func methods(of path: String) -> [String]? {
        let segments = path.split(separator: "/")
        return entries.first { entry in
            entry.template.count == segments.count
                && zip(entry.template, segments).allSatisfy { template, segment in template.hasPrefix("{") || template == segment }
        }?.methods
    }
}
