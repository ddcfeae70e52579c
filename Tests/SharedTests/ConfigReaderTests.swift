import PlatformConfig
import Testing

@Suite struct ConfigReaderTests {
    @Test func missingRequiredVariableIsNamed() {
        #expect(throws: ConfigError(variable: "IDM_DATABASE_URL", problem: "is required but not set")) {
            try ConfigReader([:]).string("IDM_DATABASE_URL")
        }
    }

    @Test func defaultsApplyWhenUnsetOrEmpty() throws {
        let config = ConfigReader(["EMPTY": ""])
        #expect(try config.port("EMPTY", default: 5000) == 5000)
        #expect(try config.bool("UNSET", default: true))
    }

    @Test func malformedValuesAreRefusedWithTheirName() {
        let config = ConfigReader(["PORT": "fifty", "BIG": "70000", "FLAG": "maybe", "WAIT": "-1"])
        #expect(throws: ConfigError.self) { try config.int("PORT") }
        #expect(throws: ConfigError(variable: "BIG", problem: "must be in 1...65535, got 70000")) {
            try config.port("BIG", default: 1)
        }
        #expect(throws: ConfigError.self) { try config.bool("FLAG", default: false) }
        #expect(throws: ConfigError.self) { try config.duration("WAIT", default: .seconds(1)) }
    }

    @Test func urlErrorsNeverEchoTheValue() {
        let secret = "postgresql//idm:hunter2@db/idm"
        do {
            _ = try ConfigReader(["DB": secret]).url("DB", schemes: ["postgresql"])
            Issue.record("a URL without a scheme separator was accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("DB"))
        }
    }

    @Test func parsesTypedValues() throws {
        let config = ConfigReader(["N": " 42 ", "B": "off", "D": "2.5", "U": "amqp://u:p@127.0.0.1:5672/%2F"])
        #expect(try config.int("N") == 42)
        #expect(try config.bool("B", default: true) == false)
        #expect(try config.duration("D", default: .zero) == .milliseconds(2500))
        #expect(try config.url("U", schemes: ["amqp"]) == "amqp://u:p@127.0.0.1:5672/%2F")
    }
}
