import CMongoc

/// libmongoc's process-wide initialisation, done once, on first use.
enum MongoRuntime {
    private static let initialized: Bool = {
        mongoc_log_set_handler(warningsOnly, nil)
        mongoc_init()
        return true
    }()

    static func initialize() {
        _ = initialized
    }
}

/// libmongoc logs every failed heartbeat at debug level; pass on warnings and worse only.
private func warningsOnly(
    level: mongoc_log_level_t, domain: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?,
    userData: UnsafeMutableRawPointer?
) {
    guard level.rawValue <= MONGOC_LOG_LEVEL_WARNING.rawValue else { return }
    mongoc_log_default_handler(level, domain, message, userData)
}
