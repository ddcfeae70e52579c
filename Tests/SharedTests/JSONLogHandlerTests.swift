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
}
