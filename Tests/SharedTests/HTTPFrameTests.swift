import DatabaseKit
import Foundation
import Hummingbird
import HummingbirdTesting
import PlatformCore
import PlatformHTTP
import ServiceKit
import Testing

@Suite struct HTTPFrameTests {
    struct Failing: Error {}

    func makeApplication(ready: Bool = true) -> some ApplicationProtocol {
        let readiness = Readiness(checks: [
            ReadinessCheck("store") { if !ready { throw Failing() } }
        ])
        let router = makePlatformRouter(service: "test", readiness: readiness, translateError: translatePlatformError)
        router.get("/conflict") { _, _ -> String in throw AppError(.alreadyExists, "email already registered") }
        router.get("/invalid") { _, _ -> String in
            throw AppError(.invalidArgument, "invalid input", details: ["email": "must be a valid address"])
        }
        router.get("/bug") { _, _ -> String in throw Failing() }
        router.get("/store-down") { _, _ -> String in throw DatabaseError(.connectionLost, "server closed the connection") }
        router.get("/request-id") { _, context in context.requestID }
        router.get("/stream") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "one"))
                try await writer.write(ByteBuffer(string: "two"))
                try await writer.finish(nil)
            })
        }
        return Application(router: router)
    }

    func errorBody(_ response: TestResponse) throws -> ErrorBody {
        try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
    }

    @Test func healthAndReadiness() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = try JSONDecoder().decode(OpsRoutes.HealthBody.self, from: Data(buffer: response.body))
                #expect(body.status == "ok" && body.service == "test" && body.uptimeSeconds >= 0)
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""store":"ok""#))
            }
        }
        try await makeApplication(ready: false).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(#""status":"not_ready""#))
            }
        }
    }

    @Test func requestIDIsKeptOrCreated() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/request-id", method: .get, headers: [RequestIDMiddleware.header: "abc-123"]) {
                #expect($0.headers[RequestIDMiddleware.header] == "abc-123")
                #expect(String(buffer: $0.body) == "abc-123")
            }
            try await client.execute(uri: "/request-id", method: .get, headers: [RequestIDMiddleware.header: "bad id"]) {
                let id = try #require($0.headers[RequestIDMiddleware.header])
                #expect(id != "bad id")
                #expect(UUID(uuidString: id) != nil)
            }
        }
    }

    @Test func errorsBecomeJSONWithTheirStatus() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/conflict", method: .get) { response in
                #expect(response.status == .conflict)
                #expect((try? errorBody(response))?.error.code == "already_exists")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            try await client.execute(uri: "/invalid", method: .get) { response in
                #expect(response.status.code == 422)
                #expect((try? errorBody(response))?.error.details == ["email": "must be a valid address"])
            }
            try await client.execute(uri: "/no-such-route", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((try? errorBody(response))?.error.code == "not_found")
            }
        }
    }

    @Test func internalFailuresRevealNothing() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/bug", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = try? errorBody(response)
                #expect(body?.error.code == "internal")
                #expect(body?.error.message == "internal error")
                #expect(body?.error.details == nil)
            }
            try await client.execute(uri: "/store-down", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(!String(buffer: response.body).contains("server closed"))
            }
        }
    }

    @Test func metricsAreExposed() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { _ in }
            try await client.execute(uri: "/stream", method: .get) { #expect(String(buffer: $0.body) == "onetwo") }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.contains { $0.hasPrefix("# TYPE") })
                // A sized body is counted when the handler returns, a streamed one once written
                // (other tests of this process call /health too; only this one calls /stream).
                for (route, count) in [("/health", ""), ("/stream", " 1")] {
                    #expect(lines.contains { $0.hasPrefix("hb_requests{") && $0.contains(#""\#(route)""#) && $0.hasSuffix(count) })
                    #expect(lines.contains { $0.hasPrefix("http_server_request_duration_count{") && $0.contains(#""\#(route)""#) })
                }
            }
        }
    }
}
