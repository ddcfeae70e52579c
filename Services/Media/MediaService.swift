import FoundationEssentials
import ObjectStore
import PlatformConfig
import ServiceKit
import ServicePostgres

/// Images and avatars: streamed upload, listing, signed links, content, deletion; objects in a
/// local folder or an S3 bucket (`MEDIA_STORAGE`). Connects the service to its dependencies and
/// returns it ready to run; tests call it too.
public func buildMediaService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let database = try await runtime.attachPostgres(migrations: ServiceMigrations.files, eventTables: .init(outbox: false, inbox: true))
    let store = PostgresImageStore(client: database)
    let objects = try await MediaStorage.objectStore(config)
    let key = try config.string("MEDIA_URL_SIGNING_KEY", default: "")
    guard key.utf8.count >= 32 else {
        throw ConfigError(variable: "MEDIA_URL_SIGNING_KEY", problem: "must be set to at least 32 random characters")
    }
    let links = SignedLinks(key: Array(key.utf8), lifetime: try config.duration("MEDIA_URL_LIFETIME", default: .seconds(900)))
    let spool = URL(fileURLWithPath: try config.string("MEDIA_SPOOL_DIR", default: FileManager.default.temporaryDirectory.path))
    let library = ImageLibrary(store: store, objects: objects, links: links, spoolDirectory: spool)
    let sweeper = OrphanSweeper(
        objects: objects, store: store, age: try config.duration("MEDIA_ORPHAN_AGE", default: .seconds(3600)))
    runtime.addBackgroundService(
        PeriodicJob("orphaned objects removed", every: .seconds(600), logger: runtime.logger) { try await sweeper.sweep(now: Date()) })
    try await runtime.addEventConsumer(try mediaEventHandlers(library: library))
    runtime.addRPCService(MediaRPCService(library: library))
    return runtime
}
