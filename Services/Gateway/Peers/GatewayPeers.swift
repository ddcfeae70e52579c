import Contracts
import GRPCCore

/// The services the gateway forwards to, each over one long-lived gRPC client (any transport:
/// HTTP/2 in production, in-process in tests).
public struct GatewayPeers: Sendable {
    let idm: any Idm_V1_IDMService.ClientProtocol
    let users: any User_V1_UserService.ClientProtocol
    let auth: any Auth_V1_AuthService.ClientProtocol
    let products: any Product_V1_ProductService.ClientProtocol
    let payments: any Payment_V1_PaymentService.ClientProtocol
    let analytics: any Analytics_V1_AnalyticsService.ClientProtocol
    let events: any Event_V1_EventService.ClientProtocol
    let clients: any Client_V1_ClientService.ClientProtocol
    let media: any Media_V1_MediaService.ClientProtocol

    public init(
        idm: GRPCClient<some ClientTransport>, users: GRPCClient<some ClientTransport>, auth: GRPCClient<some ClientTransport>,
        products: GRPCClient<some ClientTransport>, payments: GRPCClient<some ClientTransport>,
        analytics: GRPCClient<some ClientTransport>, events: GRPCClient<some ClientTransport>,
        clients: GRPCClient<some ClientTransport>, media: GRPCClient<some ClientTransport>
    ) {
        self.idm = Idm_V1_IDMService.Client(wrapping: idm)
        self.users = User_V1_UserService.Client(wrapping: users)
        self.auth = Auth_V1_AuthService.Client(wrapping: auth)
        self.products = Product_V1_ProductService.Client(wrapping: products)
        self.payments = Payment_V1_PaymentService.Client(wrapping: payments)
        self.analytics = Analytics_V1_AnalyticsService.Client(wrapping: analytics)
        self.events = Event_V1_EventService.Client(wrapping: events)
        self.clients = Client_V1_ClientService.Client(wrapping: clients)
        self.media = Media_V1_MediaService.Client(wrapping: media)
    }
}
