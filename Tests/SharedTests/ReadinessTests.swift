import PlatformCore
import Testing

@Suite struct ReadinessTests {
    struct Down: Error {}

    @Test func reportsEachFailingCheck() async {
        let readiness = Readiness(checks: [
            ReadinessCheck("postgres") {},
            ReadinessCheck("broker") { throw Down() },
        ])
        let report = await readiness.evaluate()
        #expect(!report.isReady)
        #expect(report.failures == ["broker": "unavailable"])
        #expect(report.checked == ["postgres", "broker"])
    }

    @Test func aHungCheckTimesOut() async {
        let readiness = Readiness(
            checks: [ReadinessCheck("slow") { try await Task.sleep(for: .seconds(30)) }], timeout: .milliseconds(100))
        let start = ContinuousClock.now
        let report = await readiness.evaluate()
        #expect(report.failures == ["slow": "timed out"])
        // Not the check's 30 s (the bound is loose: a loaded CI machine took 5 s once).
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
