import FoundationEssentials
import Synchronization

/// Values that follow one request across tasks and service hops.
///
/// The HTTP middleware and the gRPC server interceptor bind them; the gRPC client
/// interceptor forwards them as metadata and the log handler prints the request id.
public enum RequestScope {
    @TaskLocal public static var requestID: String?
    /// The caller's `Authorization` header value (`Bearer …`), forwarded to downstream RPCs.
    @TaskLocal public static var authorization: String?

    /// A fresh request id in UUID form (version 4 layout): 60 random bits fixed per process and a
    /// counter from a random start, so ids are unique without a system call per request (a request
    /// id names a request in logs; it is not a secret, and callers may supply their own anyway).
    public static func newRequestID() -> String {
        let sequence = nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
        let low = (sequence & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        let bytes = (processPrefix.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: bytes) { UUID.lowercasedText(of: $0) }
    }

    private static let processPrefix = UInt64.random(in: .min ... .max) & 0xFFFF_FFFF_FFFF_0FFF | 0x4000  // version 4
    private static let nextSequence = Atomic<UInt64>(UInt64.random(in: .min ... .max))

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
