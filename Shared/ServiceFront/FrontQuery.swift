import Hummingbird
import PlatformAPI
import PlatformCore

/// The query of a request to a service's own front, read the platform's way.
public struct FrontQuery {
    private let parameters: Parameters

    public init(_ request: Request) { parameters = request.uri.queryParameters }

    public subscript(_ name: String) -> String? { parameters[Substring(name)].map(String.init) }

    /// `page` and `page_size` (defaults and ranges of `PageRequest`); 422 naming each bad one.
    public func paging() throws(AppError) -> PageRequest {
        var values = QueryValues()
        let paging = values.paging(page: self["page"], pageSize: self["page_size"])
        try values.check()
        guard let paging else { throw AppError(.invalidArgument, "the query is not valid") }
        return paging
    }
}
