import DatabaseKit
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Postgres timestamps", .needs(.postgres))
struct TimestampRoundTripTests {
    @Test(arguments: [
        1_795_000_000.654321, 1_795_000_000.000001, 1_795_000_000.999999, 0, -1.25, -2_208_988_800.5, 1_700_000_000,
    ])
    func timestamptzKeepsMicroseconds(seconds: Double) async throws {
        let date = Date(timeIntervalSince1970: seconds)
        try await TestPostgres.withClient(maxConnections: 1) { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, at TIMESTAMPTZ", on: client) { table in
                try await client.execute("INSERT INTO \(table) VALUES (1, $1)", [.date(date)])
                let row = try #require(
                    try await client.query(
                        "SELECT at, at = $1::timestamptz AS same, (extract(epoch FROM at) * 1000000)::bigint AS micros FROM \(table)",
                        [.string(SQLTimestamp.format(date, withZone: true))]
                    ).first)
                #expect(try row.bool("same") == true)
                #expect(try row.int("micros") == Int((seconds * 1_000_000).rounded()))
                let readBack = try #require(try row.date("at"))
                #expect(abs(readBack.timeIntervalSince1970 - seconds) < 0.000_001)
            }
        }
    }

    @Test func sessionsRunInUTCAndOffsetsAreNormalised() async throws {
        try await TestPostgres.withClient { client in
            let row = try #require(
                try await client.query(
                    """
                    SELECT current_setting('TimeZone') AS zone,
                        '2026-01-01 12:00:00.25+05:30'::timestamptz AS shifted,
                        '2026-02-03 04:05:06'::timestamp AS plain, DATE '2026-02-03' AS day
                    """
                ).first)
            #expect(try row.string("zone") == "UTC")
            #expect(try row.string("shifted") == "2026-01-01 06:30:00.25+00")
            #expect(try row.date("shifted") == Date(timeIntervalSince1970: 1_767_249_000.25))
            #expect(try row.date("plain") == Date(timeIntervalSince1970: 1_770_091_506))
            #expect(try row.date("day") == Date(timeIntervalSince1970: 1_770_076_800))
        }
    }
}
