import Contracts
import PlatformRPC

/// The services the gateway forwards to, over long-lived gRPC clients.
struct Upstreams: Sendable {
    let idm: Idm_V1_IDMService.Client<RPCClients.Transport>
    let users: User_V1_UserService.Client<RPCClients.Transport>
    let auth: Auth_V1_AuthService.Client<RPCClients.Transport>
}
