import DatabaseKit
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Postgres values", .needs(.postgres))
struct ValueRoundTripTests {
    static let columns = """
        id INT PRIMARY KEY, s TEXT NULL, i BIGINT NULL, d DOUBLE PRECISION NULL, b BOOLEAN NULL,
        bin BYTEA NULL, at TIMESTAMPTZ NULL, u UUID NULL
        """

    static func insert(into table: String) -> String {
        "INSERT INTO \(table) (id, s, i, d, b, bin, at, u) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    }

    @Test func everyKindRoundTrips() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable(Self.columns, on: client) { table in
                let at = Date(timeIntervalSince1970: 1_795_000_000.654321)
                let uuid = UUID()
                let blob = (0...255).map(UInt8.init) + [0, 0, 255]
                let sql = Self.insert(into: table)
                try await client.execute(
                    sql, [1, "Zoë 🚀 日本語 — naïve", .int(.min), 3.141592653589793, true, .bytes(blob), .date(at), .uuid(uuid)])
                try await client.execute(sql, [2, "", .int(.max), -1e-300, false, .bytes([]), nil, nil])
                try await client.execute(
                    sql, [3, SQLValue(nil as String?), SQLValue(nil as Int?), nil, SQLValue(nil as Bool?), nil,
                          SQLValue(nil as Date?), SQLValue(nil as UUID?)])
                let rows = try await client.query("SELECT * FROM \(table) ORDER BY id")
                #expect(rows.count == 3)
                #expect(rows.first?.columns == ["id", "s", "i", "d", "b", "bin", "at", "u"])

                let first = rows[0]
                #expect(try first.string("s") == "Zoë 🚀 日本語 — naïve")
                #expect(try first.int("i") == Int(Int64.min))
                #expect(try first.double("d") == 3.141592653589793)
                #expect(try first.bool("b") == true)
                #expect(try first.bytes("bin") == blob)
                let readBack = try #require(try first.date("at"))
                #expect(abs(readBack.timeIntervalSince1970 - at.timeIntervalSince1970) < 0.000_001)
                #expect(try first.string("at") == "2026-11-18 11:06:40.654321+00")
                #expect(try first.uuid("u") == uuid)
                #expect(try first.string("u") == uuid.uuidString.lowercased())

                let second = rows[1]
                #expect(try second.string("s") == "")
                #expect(try !second.isNull("s"))
                #expect(try second.int("i") == Int(Int64.max))
                #expect(try second.double("d") == -1e-300)
                #expect(try second.bool("b") == false)
                #expect(try second.bytes("bin") == [])

                let third = rows[2]
                for column in ["s", "i", "d", "b", "bin", "at", "u"] {
                    #expect(try third.isNull(column), "column \(column)")
                }
                #expect(try third.string("s") == nil && third.int("i") == nil && third.double("d") == nil)
                #expect(try third.bool("b") == nil && third.bytes("bin") == nil && third.date("at") == nil)
                #expect(try third.uuid("u") == nil)
            }
        }
    }

    @Test func parametersComeBackAsText() async throws {
        try await TestPostgres.withClient { client in
            let uuid = try #require(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
            let rows = try await client.query(
                "SELECT $1::text AS s, $2::bigint AS i, $3::float8 AS d, $4::bool AS b, $5::text AS n, $6::bytea AS bin, $7::uuid AS u",
                ["x'y\"z\\", 42, 0.1, true, nil, .bytes([0, 1, 2]), .uuid(uuid)])
            let row = try #require(rows.first)
            #expect(row.columns == ["s", "i", "d", "b", "n", "bin", "u"])
            #expect(try row.string("s") == "x'y\"z\\")
            #expect(try row.int("i") == 42)
            #expect(try row.double("d") == 0.1)
            #expect(try row.bool("b") == true)
            #expect(try row.string("b") == "t")
            #expect(try row.isNull("n"))
            #expect(try row.bytes("bin") == [0, 1, 2])
            #expect(try row.string("bin") == "\\x000102")
            #expect(try row.string("u") == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        }
    }

    @Test(arguments: [
        0.0, -0.0, 1.5, -2.25e10, 1e-300, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude,
        .infinity, -.infinity, 0.1 + 0.2,
    ])
    func doublesRoundTripExactly(value: Double) async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            let row = try #require(try await client.query("SELECT $1::float8 AS d", [.double(value)]).first)
            let readBack = try #require(try row.double("d"))
            #expect(readBack == value)
            #expect(readBack.sign == value.sign)
        }
    }

    @Test func notANumberRoundTrips() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            let row = try #require(try await client.query("SELECT $1::float8 AS d", [.double(.nan)]).first)
            #expect(try row.string("d") == "NaN")
            #expect(try row.double("d")?.isNaN == true)
        }
    }

    @Test func largeTextAndByteaRoundTrip() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, t TEXT, b BYTEA", on: client) { table in
                let text = String(repeating: "Grüße, café ☕ ", count: 150_000)  // about 2.5 MB of UTF-8
                let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                try await client.execute(
                    "INSERT INTO \(table) VALUES (1, $1, $2), (2, 'short', '\\x00'::bytea)", [.string(text), .bytes(bytes)])
                let rows = try await client.query("SELECT t, b, octet_length(b) AS n FROM \(table) ORDER BY id")
                #expect(try rows[0].string("t") == text)
                #expect(try rows[0].bytes("b") == bytes)
                #expect(try rows[0].int("n") == bytes.count)
                #expect(try rows[1].string("t") == "short")
                #expect(try rows[1].bytes("b") == [0])
            }
        }
    }

    @Test func aQuoteLadenParameterIsStoredVerbatim() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, note TEXT", on: client) { table in
                let hostile = "'; DROP TABLE \(table); --"
                try await client.execute("INSERT INTO \(table) VALUES ($1, $2)", [1, .string(hostile)])
                try await client.execute("INSERT INTO \(table) VALUES ($1, $2)", [2, "$1 \\' \" $$ E'\\x00'"])
                let rows = try await client.query("SELECT note FROM \(table) WHERE note = $1", [.string(hostile)])
                #expect(try rows.first?.string("note") == hostile)
                let all = try await client.query("SELECT note FROM \(table) ORDER BY id").map { try $0.string("note") }
                #expect(all == [hostile, "$1 \\' \" $$ E'\\x00'"])
            }
        }
    }
}
