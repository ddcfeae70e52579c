import GRPCNIOTransportHTTP2

/// How this service's gRPC server and clients prove who they are: mutual TLS with certificates
/// from files (all signed by the platform's CA), a service token key, both, or neither.
public struct RPCTrust: Sendable {
    /// PEM files: the platform's CA, this service's certificate (`DNS:<service>`) and its key.
    public struct TLSFiles: Sendable {
        public var certificateAuthority: String
        public var certificate: String
        public var privateKey: String

        public init(certificateAuthority: String, certificate: String, privateKey: String) {
            self.certificateAuthority = certificateAuthority
            self.certificate = certificate
            self.privateKey = privateKey
        }
    }

    public var tls: TLSFiles?
    public var tokens: ServiceTokens?

    public init(tls: TLSFiles? = nil, tokens: ServiceTokens? = nil) {
        self.tls = tls
        self.tokens = tokens
    }

    /// No proof asked or given: in-process tests.
    public static let none = RPCTrust()

    /// For the start-up log line: `mtls+token`, `token`, `mtls` or `nothing`.
    public var summary: String {
        switch (tls != nil, tokens != nil) {
        case (true, true): "mtls+token"
        case (true, false): "mtls"
        case (false, true): "token"
        case (false, false): "nothing"
        }
    }

    var serverSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        return .mTLS(
            certificateChain: [.file(path: tls.certificate, format: .pem)], privateKey: .file(path: tls.privateKey, format: .pem)
        ) { config in
            config.trustRoots = .certificates([.file(path: tls.certificateAuthority, format: .pem)])
            // Any certificate of the platform's CA gets in; which service may call what is the
            // interceptor's decision, by the name in the certificate.
            config.clientCertificateVerification = .noHostnameVerification
        }
    }

    /// A peer by name is checked against its certificate's name; a loopback address (replicas on
    /// one machine) only against the CA.
    func clientSecurity(verifyingName: Bool) -> HTTP2ClientTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        return .mTLS(
            certificateChain: [.file(path: tls.certificate, format: .pem)], privateKey: .file(path: tls.privateKey, format: .pem)
        ) { config in
            config.trustRoots = .certificates([.file(path: tls.certificateAuthority, format: .pem)])
            config.serverCertificateVerification = verifyingName ? .fullVerification : .noHostnameVerification
        }
    }
}
