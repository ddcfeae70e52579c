import DatabaseKit
import Foundation
import Testing

@Suite("SQLTimestamp")
struct SQLTimestampTests {
    @Test func formatsInUTCWithMicroseconds() {
        let date = Date(timeIntervalSince1970: 1_795_000_000.654321)
        #expect(SQLTimestamp.format(date, withZone: true) == "2026-11-18 11:06:40.654321+00")
        #expect(SQLTimestamp.format(date, withZone: false) == "2026-11-18 11:06:40.654321")
        #expect(SQLTimestamp.format(Date(timeIntervalSince1970: 0), withZone: false) == "1970-01-01 00:00:00.000000")
        #expect(SQLTimestamp.format(Date(timeIntervalSince1970: -1.25), withZone: false) == "1969-12-31 23:59:58.750000")
    }

    @Test func aFractionThatRoundsUpCarriesIntoTheSecond() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.9999996)
        #expect(SQLTimestamp.format(date, withZone: false) == "2023-11-14 22:13:21.000000")
    }

    @Test(arguments: [1_795_000_000.654321, 0, -1.25, 1_700_000_000.000001, 951_782_400.5, -2_208_988_800.999999])
    func formatAndParseRoundTrip(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        for withZone in [true, false] {
            let parsed = try #require(SQLTimestamp.parse(SQLTimestamp.format(date, withZone: withZone)))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001)
        }
    }

    @Test(arguments: [
        ("2026-11-18 11:06:40.654321+00", 1_795_000_000.654321),
        ("2026-11-18 11:06:40.654321", 1_795_000_000.654321),
        ("2026-11-18T11:06:40Z", 1_795_000_000),
        ("2026-11-18 11:06:40z", 1_795_000_000),
        ("2026-11-18 11:06:40.5", 1_795_000_000.5),
        ("2026-11-18 16:36:40+05:30", 1_795_000_000),
        ("2026-11-18 16:36:40+0530", 1_795_000_000),
        ("2026-11-18 03:06:40.25-08", 1_795_000_000.25),
        ("2026-11-18 03:06:40-08:00", 1_795_000_000),
        ("2026-11-18", 1_794_960_000),
        ("1970-01-01", 0),
        ("2024-02-29 00:00:00", 1_709_164_800),
    ])
    func parsesServerSpellings(text: String, seconds: Double) throws {
        let parsed = try #require(SQLTimestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test(arguments: [
        "", "garbage", "2026-11-1", "2026-11-18 11:06", "2026-11-18 11:06:4", "2026-11-18 11:06:40X", "2026-11-18 11:06:40+5",
        "20261118", "2026-1a-18",
    ])
    func refusesMalformedText(text: String) {
        #expect(SQLTimestamp.parse(text) == nil)
    }
}
