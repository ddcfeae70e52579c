import HTTPTypes
import Hummingbird
import Logging
import PlatformCore
import PlatformHTTP

/// The legacy SOAP 1.1 endpoint of seed d (register, lookup by username or email) at
/// `POST /soap/users`, with its WSDL at `GET /soap/users?wsdl`, over the same registry as the
/// gRPC service: a SOAP registration is the REST one (same rules, same events).
struct UserSOAPEndpoint {
    let registry: UserRegistry
    /// The address written into the WSDL when the request's `Host` is unusable.
    let fallbackLocation: String

    func add(to router: Router<AppRequestContext>) {
        router.post(RouterPath(UserSOAPContract.path)) { request, context in await answer(request, context) }
        router.get(RouterPath(UserSOAPContract.path)) { request, _ in
            guard Self.asksForWSDL(request.uri.query) else {
                return Self.xml(SOAPFault(.client, "GET answers only ?wsdl; operations are POSTed", status: .badRequest))
            }
            return Self.xml(UserSOAPWSDL.document(location: location(request)), status: .ok)
        }
    }

    private func answer(_ request: Request, _ context: AppRequestContext) async -> Response {
        do {
            let call = try SOAPMessage.Request(try await Self.body(of: request))
            return Self.xml(SOAPMessage.response(call.operation, try await perform(call)), status: .ok)
        } catch let fault as SOAPFault {
            return Self.xml(fault)
        } catch let error as AppError where Self.callersMistakes.contains(error.code) {
            return Self.xml(SOAPFault(.client, error.message, problems: error.details))
        } catch {
            context.logger.error("SOAP request failed", metadata: ["error": "\(String(reflecting: error))"])
            return Self.xml(SOAPFault(.server, "the request could not be completed; try again later"))
        }
    }

    private func perform(_ call: SOAPMessage.Request) async throws -> [String: String] {
        let fields = call.fields
        switch call.operation.name {
        case UserSOAPContract.registerUser.name:
            return try await register(fields, problems: call.problems)
        case UserSOAPContract.getUserByUsername.name:
            try Self.refuse(call.problems)
            return Self.summary(try await registry.get(username: fields["username"] ?? ""))
        case UserSOAPContract.getUserByEmail.name:
            try Self.refuse(call.problems)
            return Self.summary(try await registry.get(email: fields["email"] ?? ""))
        default:
            throw SOAPFault(.server, "\(call.operation.name) is described but not implemented")
        }
    }

    /// Reports every problem of the request in one fault: the envelope's (missing or unknown
    /// fields) together with the registration's own rules.
    private func register(_ fields: [String: String], problems: [String: String]) async throws -> [String: String] {
        var problems = problems
        let first = (fields["first_name"] ?? "").trimmingWhitespace()
        let last = (fields["last_name"] ?? "").trimmingWhitespace()
        if first.isEmpty { problems["first_name"] = "is required" }
        if last.isEmpty { problems["last_name"] = "is required" }
        if let city = fields["city"], let problem = UserRegistry.nameLimit.problem(with: city.trimmingWhitespace(), required: false) {
            problems["city"] = problem
        }
        let (email, password, username, name) = (fields["email"] ?? "", fields["password"] ?? "", fields["username"], first + " " + last)
        do {
            _ = try UserRegistry.validated(
                email: email, password: password, name: name, username: username, roles: [Role.customer.rawValue])
        } catch let error as AppError where error.code == .invalidArgument {
            problems.merge(error.details) { envelope, _ in envelope }
        }
        // The name is made of the two: a missing part is reported as itself only.
        if problems["first_name"] != nil || problems["last_name"] != nil { problems["name"] = nil }
        try Self.refuse(problems)
        let user = try await registry.register(email: email, password: password, name: name, username: username)
        return ["id": user.id.lowercasedString, "message": "User registered successfully"]
    }

    private static let callersMistakes: Set<AppError.Code> = [.invalidArgument, .alreadyExists, .notFound, .failedPrecondition]

    private static func refuse(_ problems: [String: String]) throws {
        guard problems.isEmpty else { throw SOAPFault(.client, "the request is not valid", problems: problems) }
    }

    private static func summary(_ user: UserRecord) -> [String: String] {
        var values = ["id": user.id.lowercasedString, "email": user.email, "name": user.name]
        values["username"] = user.username
        return values
    }

    private static func body(of request: Request) async throws -> [UInt8] {
        // `text/xml`, with no charset or UTF-8.
        let parameters = (request.headers[.contentType] ?? "").lowercased().split(separator: ";")
            .map { $0.trimmingWhitespace().replacing("\"", with: "") }
        guard parameters.first == "text/xml", parameters.dropFirst().allSatisfy({ !$0.hasPrefix("charset=") || $0 == "charset=utf-8" })
        else {
            throw SOAPFault(.client, "SOAP 1.1 requests are text/xml in UTF-8", status: .unsupportedMediaType)
        }
        let limit = UserSOAPContract.bodyLimit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            return Array(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw tooLarge
        }
    }

    private static let tooLarge = SOAPFault(
        .client, "the request exceeds \(UserSOAPContract.bodyLimit) bytes", status: .contentTooLarge)

    /// `?wsdl` (any case), alone or among other parameters.
    static func asksForWSDL(_ query: String?) -> Bool {
        (query ?? "").split(separator: "&").contains { $0.split(separator: "=").first?.lowercased() == "wsdl" }
    }

    /// The address the client used, when its `Host` is a plain host and port; else the configured one.
    private func location(_ request: Request) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        guard let host = request.head.authority, !host.isEmpty, host.count <= 255, host.allSatisfy(allowed.contains) else {
            return fallbackLocation
        }
        return "http://\(host)/\(UserSOAPContract.path)"
    }

    private static func xml(_ fault: SOAPFault) -> Response { xml(SOAPMessage.fault(fault), status: fault.status) }

    private static func xml(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: SOAPMessage.contentType],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
