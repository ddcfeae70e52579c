extension AppError {
    /// A 422 that names the offending field of a JSON body, when there is one.
    public init(decoding error: DecodingError) {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        func fieldError(_ context: DecodingError.Context, _ problem: String) -> AppError {
            let name = field(context.codingPath)
            return name.isEmpty
                ? AppError(.invalidArgument, "the request body must be a JSON object")
                : AppError(.invalidArgument, "a field has the wrong type", details: [name: problem])
        }
        switch error {
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            self = fieldError(context, "must be \(Self.describe(expected))")
        case .keyNotFound(let key, let context):
            self = AppError(
                .invalidArgument, "a field is missing", details: [field(context.codingPath + [key]): "is required"])
        default:
            self = AppError(.invalidArgument, "the request body is not valid JSON")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int32.Type, is Int64.Type: "an integer"
        case is [String].Type: "an array of strings"
        default: "of another type"
        }
    }
}
