/// Values that follow one request across tasks and service hops.
///
/// The HTTP middleware and the gRPC server interceptor bind them; the gRPC client
/// interceptor forwards them as metadata and the log handler prints the request id.
public enum RequestScope {
    @TaskLocal public static var requestID: String?
    /// The caller's `Authorization` header value (`Bearer …`), forwarded to downstream RPCs.
    @TaskLocal public static var authorization: String?

    /// Accepts a caller-supplied request id only when it is short and made of safe characters,
    /// so it can be echoed in headers and logs without escaping.
    public static func isAcceptableRequestID(_ candidate: String) -> Bool {
        guard (1...128).contains(candidate.utf8.count) else { return false }
        return candidate.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
    }
}
