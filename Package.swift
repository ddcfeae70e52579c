// swift-tools-version:6.1
import PackageDescription

let grpcCore = Target.Dependency.product(name: "GRPCCore", package: "grpc-swift-2")
let grpcTransport = Target.Dependency.product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")
let grpcProtobuf = Target.Dependency.product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")
let swiftProtobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let openAPIRuntime = Target.Dependency.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
let openAPIHummingbird = Target.Dependency.product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let jwtKit = Target.Dependency.product(name: "JWTKit", package: "jwt-kit")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let asyncHTTPClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
let compressNIO = Target.Dependency.product(name: "CompressNIO", package: "compress-nio")
let tracing = Target.Dependency.product(name: "Tracing", package: "swift-distributed-tracing")
let instrumentation = Target.Dependency.product(name: "Instrumentation", package: "swift-distributed-tracing")
let otel = Target.Dependency.product(name: "OTel", package: "swift-otel")
let x509 = Target.Dependency.product(name: "X509", package: "swift-certificates")

/// The store modules a service links: its own database driver and nothing else.
let postgres = ["Postgres", "ServicePostgres", "DatabaseKit"]
let mariadb = ["MariaDB", "ServiceMariaDB", "DatabaseKit"]
let mongo = ["Mongo", "ServiceMongo", "DatabaseKit"]

/// The ten services (their facts are in Services/services.tsv): executable, library target, folder,
/// the store modules it links (only its own database driver), further shared modules, whether it
/// has a `Migrations` folder (compiled in by the EmbedMigrations plugin), and the folders copied as
/// resources (static files).
let services: [(executable: String, library: String, folder: String, store: [String], uses: [Target.Dependency], migrations: Bool, resources: [String])] = [
    ("gateway", "GatewayService", "Gateway", [], ["Contracts", "AccessTokens", "EventKit", "PlatformHTTP", "PlatformRPC", "PlatformAPI", openAPIRuntime, openAPIHummingbird, crypto, asyncHTTPClient, compressNIO], false, ["Resources", "API/openapi.yaml"]),
    ("idm", "IDMService", "IDM", postgres, ["Contracts", "AccessTokens", "EventKit", "PlatformRPC"], true, []),
    ("auth", "AuthService", "Auth", postgres, ["Contracts", "PasswordHashing", "EventKit", "PlatformRPC"], true, []),
    ("user", "UserService", "User", postgres, ["Contracts", "PasswordHashing", "EventKit", "PlatformRPC"], true, []),
    ("media", "MediaService", "Media", postgres, ["Contracts", "EventKit", "PlatformRPC", "ObjectStore", "BlockingIO", crypto], true, []),
    ("product", "ProductService", "Product", postgres, ["Contracts", "PasswordHashing", "EventKit", "PlatformRPC"], true, []),
    ("payment", "PaymentService", "Payment", postgres, ["Contracts", "EventKit", "PlatformRPC"], true, []),
    ("analytics", "AnalyticsService", "Analytics", mariadb, ["Contracts", "EventKit", "PlatformRPC"], true, []),
    ("client", "ClientService", "Client", mongo, ["Contracts", "PlatformRPC", "ServiceFront"], false, []),
    ("event", "EventService", "Event", mariadb, ["Contracts", "PlatformRPC", "ServiceFront", crypto], true, []),
]

func system(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Shared/CShims/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let sharedTargets: [Target] = [
    .executableTarget(name: "embed-migrations", path: "Tools/EmbedMigrations"),
    .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["embed-migrations"]),

    system("CLibPQ", pkgConfig: "libpq", apt: "libpq-dev"),
    system("CMariaDB", pkgConfig: "libmariadb", apt: "libmariadb-dev"),
    system("CMongoc", pkgConfig: "libmongoc-1.0", apt: "libmongoc-dev"),
    system("CRabbitMQ", pkgConfig: "librabbitmq", apt: "librabbitmq-dev"),
    system("CCrypt", pkgConfig: "libcrypt", apt: "libcrypt-dev"),
    .systemLibrary(name: "CMalloc", path: "Shared/CShims/CMalloc"),

    .target(name: "PlatformCore", path: "Shared/PlatformCore"),
    .target(name: "PlatformConfig", dependencies: ["PlatformCore"], path: "Shared/PlatformConfig"),
    .target(name: "PlatformLogging", dependencies: ["PlatformCore", "BlockingIO", logging], path: "Shared/PlatformLogging"),
    .target(name: "PlatformMetrics", dependencies: [metrics, prometheus], path: "Shared/PlatformMetrics"),
    .target(name: "BlockingIO", path: "Shared/BlockingIO"),
    .target(name: "DatabaseKit", dependencies: ["BlockingIO", "PlatformCore", "PlatformTracing", tracing, instrumentation], path: "Shared/DatabaseKit"),
    // Spans and W3C trace context, off unless PlatformTelemetry started an exporter.
    .target(name: "PlatformTracing", dependencies: [tracing, instrumentation], path: "Shared/PlatformTracing"),
    // OTLP export of the spans (swift-otel), configured by the standard OTEL_* variables.
    .target(name: "PlatformTelemetry", dependencies: ["PlatformTracing", otel, tracing, logging, serviceLifecycle], path: "Shared/PlatformTelemetry"),
    .target(name: "Postgres", dependencies: ["DatabaseKit", "PlatformCore", "CLibPQ"], path: "Shared/Postgres"),
    .target(name: "MariaDB", dependencies: ["DatabaseKit", "PlatformCore", "CMariaDB"], path: "Shared/MariaDB"),
    .target(name: "Mongo", dependencies: ["DatabaseKit", "PlatformTracing", "CMongoc"], path: "Shared/Mongo"),
    .target(name: "AMQP", dependencies: ["BlockingIO", "CRabbitMQ", "PlatformCore", logging], path: "Shared/AMQP"),
    .target(
        name: "PlatformHTTP",
        dependencies: ["PlatformCore", "PlatformMetrics", "PlatformTracing", hummingbird, httpTypes, logging, metrics, tracing],
        path: "Shared/PlatformHTTP"
    ),
    .target(
        name: "PlatformRPC",
        dependencies: [
            "PlatformCore", "PlatformMetrics", "PlatformTracing", "BlockingIO", grpcCore, grpcTransport, grpcProtobuf,
            swiftProtobuf, logging, metrics, serviceLifecycle, tracing, crypto, x509,
        ],
        path: "Shared/PlatformRPC"
    ),
    .target(
        name: "ServiceKit",
        dependencies: [
            "PlatformCore", "PlatformConfig", "PlatformLogging", "PlatformMetrics", "PlatformHTTP", "PlatformRPC",
            "PlatformTelemetry", "PlatformTracing", "DatabaseKit", "AMQP", "EventKit", "CMalloc", hummingbird, grpcCore, logging,
            serviceLifecycle,
        ],
        path: "Shared/ServiceKit"
    ),
    // The kit of spec-first REST fronts: the document's policy per operation, the caller, query values.
    .target(
        name: "PlatformAPI",
        dependencies: ["PlatformCore", openAPIRuntime, hummingbird, httpTypes, logging],
        path: "Shared/PlatformAPI"
    ),
    // Media's objects: a local folder or an S3 bucket (SigV4 over async-http-client).
    .target(name: "ObjectStore", dependencies: ["BlockingIO", "PlatformCore", asyncHTTPClient, crypto], path: "Shared/ObjectStore"),
    // A service's own REST front (client, event): tokens checked through idm, JSON the gateway's way.
    .target(
        name: "ServiceFront",
        dependencies: ["Contracts", "PlatformCore", "PlatformHTTP", "PlatformAPI", hummingbird, grpcCore],
        path: "Shared/ServiceFront"
    ),
    .target(name: "Contracts", dependencies: ["PlatformCore", grpcCore, grpcProtobuf, swiftProtobuf], path: "Shared/Contracts"),
    .target(name: "PasswordHashing", dependencies: ["BlockingIO", "CCrypt", "PlatformCore", "PlatformConfig"], path: "Shared/PasswordHashing"),
    .target(name: "AccessTokens", dependencies: ["PlatformCore", "PlatformConfig", jwtKit, crypto], path: "Shared/AccessTokens"),
    .target(
        name: "EventKit",
        dependencies: ["AMQP", "Contracts", "DatabaseKit", "PlatformCore", "PlatformTracing", swiftProtobuf, logging, serviceLifecycle, tracing],
        path: "Shared/EventKit"
    ),
    // A service's own store: attaching it to the service frame, and the outbox/inbox on it.
    .target(name: "ServicePostgres", dependencies: ["ServiceKit", "EventKit", "Postgres", "DatabaseKit"], path: "Shared/ServicePostgres"),
    .target(name: "ServiceMariaDB", dependencies: ["ServiceKit", "EventKit", "MariaDB", "DatabaseKit"], path: "Shared/ServiceMariaDB"),
    .target(name: "ServiceMongo", dependencies: ["ServiceKit", "Mongo"], path: "Shared/ServiceMongo"),
]

/// lld with packed relative relocations (DT_RELR, glibc ≥ 2.36): the loader reads a 15 KB table
/// instead of 1.4 MB of RELA entries, which stayed resident in every service (1.6 MB of RSS each).
let serviceLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux]))
]

let serviceTargets: [Target] = services.flatMap { service -> [Target] in
    var dependencies: [Target.Dependency] = [
        "ServiceKit", "PlatformCore", "PlatformConfig", hummingbird, httpTypes, grpcCore, logging,
    ]
    dependencies += service.store.map { .target(name: $0) }
    dependencies += service.uses
    return [
        .target(
            name: service.library,
            dependencies: dependencies,
            path: "Services/\(service.folder)",
            exclude: ["Executable"] + (service.migrations ? ["Migrations"] : []),
            resources: service.resources.map { .copy($0) },
            plugins: service.migrations ? ["EmbedMigrations"] : []
        ),
        .executableTarget(
            name: service.executable,
            dependencies: [.target(name: service.library), "ServiceKit", "PlatformLogging"],
            path: "Services/\(service.folder)/Executable",
            linkerSettings: serviceLinkerSettings
        ),
    ]
}

/// Tools for `scripts/bench`, built with the release build; never shipped.
let benchmarkTargets: [Target] = [
    .executableTarget(name: "bench-bare-http", dependencies: [hummingbird], path: "Benchmarks/BareHTTP"),
]

let inProcessTransport = Target.Dependency.product(name: "GRPCInProcessTransport", package: "grpc-swift-2")

let testTargets: [Target] = [
    // What the suites share: the live test servers (skipped by hand, required by scripts/test),
    // the services' schemas, in-memory stores and small helpers.
    .target(
        name: "TestSupport",
        dependencies: [
            "DatabaseKit", "Postgres", "MariaDB", "AMQP", "EventKit", "PlatformCore", "PlatformConfig", "PlatformRPC",
            "ServiceKit", "Contracts", "IDMService", "AuthService", "UserService", "GatewayService", "ProductService",
            "PaymentService", "AnalyticsService", "EventService", "ClientService", "Mongo", hummingbird,
            hummingbirdTesting, grpcCore, inProcessTransport, logging, swiftProtobuf,
        ],
        path: "Tests/TestSupport"
    ),
    .testTarget(
        name: "SharedTests",
        dependencies: [
            "PlatformCore", "PlatformConfig", "PlatformLogging", "PlatformMetrics", "PlatformHTTP", "PlatformRPC",
            "DatabaseKit", "BlockingIO", "ServiceKit", "AMQP", hummingbird, hummingbirdTesting, grpcCore, grpcProtobuf,
            logging, inProcessTransport,
        ],
        path: "Tests/SharedTests"
    ),
    .testTarget(name: "PostgresTests", dependencies: ["Postgres", "DatabaseKit", "TestSupport"], path: "Tests/PostgresTests"),
    .testTarget(name: "MariaDBTests", dependencies: ["MariaDB", "DatabaseKit", "TestSupport"], path: "Tests/MariaDBTests"),
    .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "TestSupport"], path: "Tests/ObjectStoreTests"),
    .testTarget(name: "MongoTests", dependencies: ["Mongo", "DatabaseKit", "TestSupport"], path: "Tests/MongoTests"),
    .testTarget(name: "AMQPTests", dependencies: ["AMQP", "TestSupport", logging], path: "Tests/AMQPTests"),
    .testTarget(
        name: "EventKitTests",
        dependencies: [
            "EventKit", "AMQP", "Contracts", "DatabaseKit", "Postgres", "MariaDB", "ServicePostgres", "ServiceMariaDB",
            "TestSupport", logging, swiftProtobuf,
        ],
        path: "Tests/EventKitTests"
    ),
    .testTarget(
        name: "IdentityTests",
        dependencies: [
            "PasswordHashing", "AccessTokens", "EventKit", "AMQP", "Postgres", "ServicePostgres", "DatabaseKit", "Contracts", "PlatformCore",
            "IDMService", "AuthService", "UserService", "GatewayService", "ServiceKit", "TestSupport", hummingbird,
            hummingbirdTesting, jwtKit, crypto, logging, swiftProtobuf, grpcCore, grpcProtobuf, inProcessTransport,
            "PlatformConfig",
        ],
        path: "Tests/IdentityTests"
    ),
    .testTarget(
        name: "AnalyticsTests",
        dependencies: ["AnalyticsService", "EventKit", "MariaDB", "DatabaseKit", "Contracts", "PlatformCore", "TestSupport"],
        path: "Tests/AnalyticsTests"
    ),
    .testTarget(
        name: "MediaTests",
        dependencies: ["MediaService", "ObjectStore", "Postgres", "DatabaseKit", "PlatformCore", "TestSupport", logging],
        path: "Tests/MediaTests"
    ),
    .testTarget(
        name: "TicketingTests",
        dependencies: [
            "EventService", "ClientService", "ServiceFront", "EventKit", "MariaDB", "Mongo", "DatabaseKit", "Contracts",
            "PlatformCore", "TestSupport",
        ],
        path: "Tests/TicketingTests"
    ),
    .testTarget(
        name: "CommerceTests",
        dependencies: [
            "ProductService", "PaymentService", "PasswordHashing", "EventKit", "Postgres", "DatabaseKit", "Contracts",
            "PlatformCore", "TestSupport", swiftProtobuf,
        ],
        path: "Tests/CommerceTests"
    ),
    .testTarget(
        name: "GatewayTests",
        dependencies: [
            "GatewayService", "PlatformAPI", "PlatformCore", "Contracts", "EventKit", "AccessTokens", "TestSupport",
            hummingbird, hummingbirdTesting, httpTypes, swiftProtobuf, crypto,
        ],
        path: "Tests/GatewayTests"
    ),
    .testTarget(
        name: "ServiceTests",
        dependencies: services.map { .target(name: $0.library) } + [
            "ServiceKit", "TestSupport", hummingbird, hummingbirdTesting, grpcCore,
        ],
        path: "Tests/ServiceTests"
    ),
]

let package = Package(
    name: "platform",
    platforms: [.macOS(.v15)],
    products: services.map { .executable(name: $0.executable, targets: [$0.executable]) }
        + [.executable(name: "bench-bare-http", targets: ["bench-bare-http"])],
    dependencies: [
        // SwiftPM 6.3.1 recompiles a dependency at random when it has two or more traits enabled: keep at most one.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4", traits: []),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        // OTLP over HTTP only: the gRPC exporter's trait would build a second OTLP client.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: sharedTargets + serviceTargets + benchmarkTargets + testTargets
)
