import HTTPTypes
import Hummingbird
import PlatformAPI
import PlatformHTTP

/// Answers a request again when its answer was 503 and asking again cannot change the outcome:
/// reads (`GET`, `HEAD`) and writes that carry an `Idempotency-Key` (a replay returns the first
/// result). A call made while a peer restarts waits for it (`RPCClients`); what is left to catch
/// is a call the peer had taken when it went away, or a store that is back a moment later.
struct SafeRetry: RouterMiddleware {
    typealias Context = AppRequestContext

    /// The pauses before each further attempt (about 1.4 s in all), none begun after `budget`:
    /// a slow 503 (a store timing out) is not waited for four times.
    static let pauses: [Duration] = [.milliseconds(100), .milliseconds(300), .milliseconds(1000)]
    static let budget = Duration.seconds(3)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isRead = request.method == .get || request.method == .head
        guard isRead || (request.headers[.idempotencyKey] != nil && !RequestLimits.isUpload(request)) else {
            return try await next(request, context)
        }
        var request = request
        // Kept whole (a JSON body, bounded like everywhere else) so every attempt reads the same.
        if !isRead { _ = try await request.collectBody(upTo: APIMiddleware.maximumJSONBody) }
        let giveUp = ContinuousClock.now + Self.budget
        for pause in Self.pauses {
            let response = try await next(request, context)
            guard response.status == .serviceUnavailable, ContinuousClock.now + pause < giveUp else { return response }
            try await Task.sleep(for: pause)
        }
        return try await next(request, context)
    }
}
