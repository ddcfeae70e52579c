import DatabaseKit
import Foundation
import Mongo
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Stops and restarts a development server that the test spawns itself.
///
/// Needs `TEST_MONGO_SERVER_CMD`, a shell command starting the dev server without a port,
/// e.g. `.local/venv/bin/python scripts/mongo-dev/server.py --storage memory`; the test
/// appends `--port <free port>`. Skipped without it: stopping a shared server is not ours to do.
@Suite(.needs(TestServer(variable: "TEST_MONGO_SERVER_CMD")))
struct MongoRestartTests {
    @Test func pingFailsWhileTheServerIsDownAndRecoversAfterARestart() async throws {
        let command = try TestServer(variable: "TEST_MONGO_SERVER_CMD").require()
        let port = try freePort()
        var server = try startServer(command, port: port)
        defer { if server.isRunning { server.terminate() } }
        let client = try MongoClient(configuration: MongoConfiguration(url: "mongodb://127.0.0.1:\(port)/restart"))
        try await client.ping()
        try await client.collection("c").insertOne(["x": 1])

        server.terminate()
        server.waitUntilExit()
        let started = ContinuousClock.now
        let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
        #expect(error?.isConnectionProblem == true)
        #expect(ContinuousClock.now - started < .seconds(4))
        let again = await #expect(throws: DatabaseError.self) { try await client.collection("c").countDocuments() }
        #expect(again?.isConnectionProblem == true)

        server = try startServer(command, port: port)
        try await client.ping()
        #expect(try await client.collection("c").countDocuments() == 0)  // a memory server starts empty
        await client.shutdown()
        server.terminate()
        server.waitUntilExit()
    }

    private func startServer(_ command: String, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \(command) --port \(port) --log-level warning"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while !canConnect(port: port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.terminate()
                throw DatabaseError(.connectionFailed, "the dev server did not start: \(command)")
            }
            usleep(20_000)
        }
        return process
    }

    private func withSocket<T>(_ body: (Int32, inout sockaddr_in) -> T) -> T {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return body(fd, &address)
    }

    private func canConnect(port: Int) -> Bool {
        withSocket { fd, address in
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }
    }

    /// A port the kernel just handed out, released again for the server to bind.
    private func freePort() throws -> Int {
        let port = withSocket { fd, address -> Int in
            var bound = address
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            return ok ? Int(UInt16(bigEndian: bound.sin_port)) : 0
        }
        guard port > 0 else { throw DatabaseError(.connectionFailed, "no free port") }
        return port
    }
}
