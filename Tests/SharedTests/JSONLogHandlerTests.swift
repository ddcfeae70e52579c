import Foundation
import Logging
import PlatformCore
import PlatformLogging
import Synchronization
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func writesOneJSONObjectPerLineWithRequestID() throws {
        let captured = Mutex(Data())
        let output = LogOutput { data in captured.withLock { $0.append(contentsOf: data) } }
        let logger = Logger(label: "test") { JSONLogHandler(label: $0, service: "idm", level: .info, output: output) }
        RequestScope.$requestID.withValue("req-7") {
            logger.info("hello", metadata: ["user": "42"])
            logger.debug("hidden")
        }
        let text = String(decoding: captured.withLock { $0 }, as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["service"] as? String == "idm")
        #expect(object["request_id"] as? String == "req-7")
        #expect(object["msg"] as? String == "hello")
        #expect(object["user"] as? String == "42")
        #expect(object["level"] as? String == "info")
    }

    /// Lines logged through a buffered output reach the file whole and in order: at the latest
    /// within the writer's interval, at once for errors, and all of them on `flush()`.
    @Test func bufferedLinesArriveInOrderAndFlushLosesNone() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let output = LogOutput(fileDescriptor: ends[1])
        let logger = Logger(label: "test") { JSONLogHandler(label: $0, service: "idm", level: .info, output: output) }
        for index in 0..<200 { logger.info("line \(index)") }  // less than a pipe holds
        output.flush()
        logger.error("at once")
        try await Task.sleep(for: .milliseconds(200))
        logger.info("by the writer")
        try await Task.sleep(for: .milliseconds(500))
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        let read = bytes.withUnsafeMutableBytes { Glibc.read(ends[0], $0.baseAddress, $0.count) }
        let messages = try String(decoding: bytes.prefix(max(read, 0)), as: UTF8.self).split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["msg"] as? String
        }
        #expect(messages == (0..<200).map { "line \($0)" } + ["at once", "by the writer"])
    }
}
