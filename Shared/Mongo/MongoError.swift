import CMongoc
import DatabaseKit

extension DatabaseError {
    /// Server codes of a refused duplicate (unique index).
    private static let duplicateKeyCodes: Set<UInt32> = [11000, 11001, 12582]
    /// Server codes that mean the server is going away or not the primary any more.
    private static let unavailableCodes: Set<UInt32> = [91, 189, 10107, 11600, 11602, 13435, 13436]

    /// Maps a libmongoc error (error API version 2) to the platform's error kinds.
    init(mongo error: bson_error_t) {
        let message = withUnsafePointer(to: error.message) {
            $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: error.message)) {
                String(cString: $0)
            }
        }
        let domain = error.domain
        let code = error.code
        switch domain {
        case MONGOC_ERROR_SERVER_SELECTION.rawValue:
            self.init(.connectionFailed, message)
        case MONGOC_ERROR_STREAM.rawValue:
            let refused = code == MONGOC_ERROR_STREAM_CONNECT.rawValue
                || code == MONGOC_ERROR_STREAM_NAME_RESOLUTION.rawValue
            self.init(refused ? .connectionFailed : .connectionLost, message)
        case MONGOC_ERROR_PROTOCOL.rawValue:
            self.init(.connectionLost, message)
        case MONGOC_ERROR_CLIENT.rawValue where code == MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue:
            self.init(.connectionFailed, message)
        case MONGOC_ERROR_SERVER.rawValue, MONGOC_ERROR_WRITE_CONCERN.rawValue:
            if Self.duplicateKeyCodes.contains(code) {
                self.init(.uniqueViolation, message, code: String(code))
            } else if Self.unavailableCodes.contains(code) {
                self.init(.connectionLost, message, code: String(code))
            } else {
                self.init(.queryFailed, message, code: String(code))
            }
        default:
            // Client-side errors (invalid arguments, ...); libmongoc's own codes never reach 11000.
            if Self.duplicateKeyCodes.contains(code) {
                self.init(.uniqueViolation, message, code: String(code))
            } else {
                self.init(.queryFailed, message)
            }
        }
    }
}
