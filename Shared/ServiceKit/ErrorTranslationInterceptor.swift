import GRPCCore
import Logging
import PlatformCore

/// Gives every RPC the same error mapping as the REST edge: domain errors keep their code,
/// infrastructure errors are translated, and unknown errors are logged and hidden.
struct ErrorTranslationInterceptor: ServerInterceptor {
    let logger: Logger

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        do {
            return try await next(request, context)
        } catch let error as RPCError {
            throw error
        } catch {
            if let translated = translatePlatformError(error) {
                if translated.code == .unavailable { logger.warning("rpc failed", metadata: ["error": "\(error)"]) }
                throw translated
            }
            logger.error("rpc failed", metadata: ["method": "\(context.descriptor)", "error": "\(error)"])
            throw RPCError(code: .internalError, message: "internal error")
        }
    }
}
