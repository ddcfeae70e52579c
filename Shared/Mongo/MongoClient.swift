import BlockingIO
import CMongoc
import DatabaseKit
import FoundationEssentials
import Synchronization

/// A MongoDB client over libmongoc's thread-safe, bounded `mongoc_client_pool_t`.
///
/// Every libmongoc call blocks, so each one runs on this client's own `BlockingThreadPool`
/// (as many threads as pooled connections) with a connection popped from the pool and pushed
/// back afterwards; callers' tasks and event loops never block. Call `shutdown()` when done.
public final class MongoClient: Sendable {
    /// The raw pool: libmongoc documents `mongoc_client_pool_t` as thread-safe.
    private struct PoolHandle: @unchecked Sendable {
        let raw: OpaquePointer
    }

    private struct State {
        var isClosed = false
        var isDestroyed = false
        var activeCalls = 0
    }

    public let configuration: MongoConfiguration
    private let pool: PoolHandle
    private let threads: BlockingThreadPool
    private let state = Mutex(State())

    public init(configuration: MongoConfiguration) throws {
        MongoRuntime.initialize()
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(configuration.url, &error) else {
            throw DatabaseError(.connectionFailed, "invalid MongoDB URL: \(DatabaseError(mongo: error).message)")
        }
        defer { mongoc_uri_destroy(uri) }
        mongoc_uri_set_option_as_int32(
            uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, configuration.serverSelectionTimeout.int32Milliseconds)
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, configuration.connectTimeout.int32Milliseconds)
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_MAXPOOLSIZE, Int32(configuration.poolSize))
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            throw DatabaseError(.connectionFailed, "cannot create the MongoDB client: \(DatabaseError(mongo: error).message)")
        }
        mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2)
        mongoc_client_pool_max_size(pool, UInt32(configuration.poolSize))
        if let appName = configuration.appName { _ = mongoc_client_pool_set_appname(pool, appName) }
        self.configuration = configuration
        self.pool = PoolHandle(raw: pool)
        self.threads = BlockingThreadPool(name: "mongo", threads: configuration.poolSize)
    }

    deinit {
        // Only reached without shutdown(); no call can be running, as each one retains self.
        guard !state.withLock({ $0.isDestroyed }) else { return }
        let pool = self.pool
        startThread(named: "mongo-destroy") { mongoc_client_pool_destroy(pool.raw) }  // may talk to the server
        threads.shutdown()
    }

    /// A collection of the configured database.
    public func collection(_ name: String) -> MongoCollection {
        MongoCollection(name: name, client: self)
    }

    /// Asks the server to answer; throws a connection error when it cannot be reached.
    public func ping() async throws {
        _ = try await runCommand(["ping": 1], database: "admin")
    }

    /// Runs a database command (by default on the configured database) and returns its reply.
    public func runCommand(_ command: BSONDocument, database: String? = nil) async throws -> BSONDocument {
        let database = database ?? configuration.database
        return try await withClient { client in
            let commandBSON = try BSONWriter.encode(command)
            let reply = BSONBuffer()
            var error = bson_error_t()
            guard mongoc_client_command_simple(client, database, commandBSON.pointer, nil, reply.pointer, &error) else {
                throw DatabaseError(mongo: error)
            }
            return try reply.decode()
        }
    }

    /// Waits for running calls, closes the pool's connections and stops its threads.
    /// Later calls fail with `DatabaseError.Kind.poolClosed`.
    public func shutdown() async {
        let first = state.withLock { state in
            defer { state.isClosed = true }
            return !state.isClosed
        }
        guard first else { return }
        while state.withLock({ $0.activeCalls }) > 0 {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let pool = self.pool
        _ = try? await threads.run { mongoc_client_pool_destroy(pool.raw) }
        state.withLock { $0.isDestroyed = true }
        threads.shutdown()
    }

    /// Runs `body` on a blocking thread with a client popped from the pool.
    func withClient<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try state.withLock { state in
            guard !state.isClosed else { throw DatabaseError(.poolClosed, "the MongoDB client is shut down") }
            state.activeCalls += 1
        }
        defer { state.withLock { $0.activeCalls -= 1 } }
        let pool = self.pool
        return try await threads.run {
            let client = mongoc_client_pool_pop(pool.raw)!
            defer { mongoc_client_pool_push(pool.raw, client) }
            return try body(client)
        }
    }
}
