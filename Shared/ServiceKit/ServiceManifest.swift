/// The ten services. `Services/services.tsv` holds the same table for the scripts and the
/// end-to-end suite; `ServiceManifestTests` fails when the two disagree.
public enum ServiceManifest {
    public static let gateway = ServiceDescriptor(
        "gateway", prefix: "GATEWAY", http: 5000, grpc: 50050, store: nil, broker: true,
        peers: ["idm", "auth", "user", "product", "payment", "analytics", "client", "event", "media"])
    public static let idm = ServiceDescriptor(
        "idm", prefix: "IDM", http: 9101, grpc: 50051, store: .postgres(database: "idm"), broker: true, peers: ["auth", "product"])
    public static let auth = ServiceDescriptor(
        "auth", prefix: "AUTH", http: 9102, grpc: 50052, store: .postgres(database: "auth"), broker: true)
    public static let user = ServiceDescriptor(
        "user", prefix: "USER", http: 8002, grpc: 50053, store: .postgres(database: "users"), broker: true)
    public static let media = ServiceDescriptor(
        "media", prefix: "MEDIA", http: 9104, grpc: 50054, store: .postgres(database: "media"), broker: true)
    public static let product = ServiceDescriptor(
        "product", prefix: "PRODUCT", http: 9105, grpc: 50055, store: .postgres(database: "products"), broker: true)
    public static let payment = ServiceDescriptor(
        "payment", prefix: "PAYMENT", http: 9106, grpc: 50056, store: .postgres(database: "payments"), broker: true)
    public static let analytics = ServiceDescriptor(
        "analytics", prefix: "ANALYTICS", http: 9107, grpc: 50057, store: .mariadb(database: "analytics"), broker: true,
        peers: ["product"])
    public static let client = ServiceDescriptor(
        "client", prefix: "CLIENT", http: 8000, grpc: 50058, store: .mongo(database: "clients"), broker: false,
        peers: ["idm", "event"])
    public static let event = ServiceDescriptor(
        "event", prefix: "EVENT", http: 8001, grpc: 50059, store: .mariadb(database: "events"), broker: false,
        peers: ["idm"])

    public static let all = [gateway, idm, auth, user, media, product, payment, analytics, client, event]

    public static func named(_ name: String) -> ServiceDescriptor? { all.first { $0.name == name } }
}
