import CMongoc
import DatabaseKit

/// Where and how to connect: a MongoDB connection string plus pool and timeout settings.
///
/// The database comes from the URL path (`mongodb://host:27017/clients`) and is required.
/// `maxPoolSize`, `serverSelectionTimeoutMS` and `connectTimeoutMS` in the URL override the
/// defaults (8 connections, 2 s, 2 s), so an unreachable server fails in about two seconds.
public struct MongoConfiguration: Sendable {
    public var url: String
    public var database: String
    /// Most connections open at once, and threads doing blocking libmongoc calls.
    public var poolSize: Int
    public var serverSelectionTimeout: Duration
    public var connectTimeout: Duration
    public var appName: String?

    public init(url: String) throws {
        MongoRuntime.initialize()
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(url, &error) else {
            throw DatabaseError(.connectionFailed, "invalid MongoDB URL: \(DatabaseError(mongo: error).message)")
        }
        defer { mongoc_uri_destroy(uri) }
        guard let database = mongoc_uri_get_database(uri).map({ String(cString: $0) }), !database.isEmpty else {
            throw DatabaseError(.connectionFailed, "the MongoDB URL names no database (mongodb://host:port/<database>)")
        }
        func option(_ name: String, default value: Int32) -> Int32 {
            mongoc_uri_has_option(uri, name) ? mongoc_uri_get_option_as_int32(uri, name, value) : value
        }
        self.url = url
        self.database = database
        self.poolSize = Int(max(1, option(MONGOC_URI_MAXPOOLSIZE, default: 8)))
        self.serverSelectionTimeout = .milliseconds(option(MONGOC_URI_SERVERSELECTIONTIMEOUTMS, default: 2000))
        self.connectTimeout = .milliseconds(option(MONGOC_URI_CONNECTTIMEOUTMS, default: 2000))
        self.appName = mongoc_uri_get_appname(uri).map { String(cString: $0) }
    }
}

extension Duration {
    var int32Milliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
