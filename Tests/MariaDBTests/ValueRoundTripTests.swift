import DatabaseKit
import Foundation
import MariaDB
import TestSupport
import Testing

@Suite("MariaDB values", .needs(.mariadb))
struct ValueRoundTripTests {
    static let columns = """
        id INT PRIMARY KEY, s VARCHAR(255) NULL, t LONGTEXT NULL, i BIGINT NULL, d DOUBLE NULL, b BOOLEAN NULL,
        blob_value LONGBLOB NULL, at DATETIME(6) NULL, u CHAR(36) NULL
        """
    static let insert = "INSERT INTO %@ (id, s, t, i, d, b, blob_value, at, u) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"

    @Test func everyKindRoundTrips() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable(Self.columns, on: client) { table in
                let at = Date(timeIntervalSince1970: 1_795_000_000.654321)
                let uuid = UUID()
                let blob = (0...255).map(UInt8.init) + [0, 0, 255]
                let sql = Self.insert.replacingOccurrences(of: "%@", with: table)
                try await client.execute(
                    sql, [1, "Zoë 🚀 日本語 — naïve", "text", .int(.min), 3.141592653589793, true, .bytes(blob), .date(at), .uuid(uuid)])
                try await client.execute(sql, [2, nil, nil, .int(.max), -1e-300, false, .bytes([]), nil, nil])
                let rows = try await client.query("SELECT * FROM \(table) ORDER BY id")
                #expect(rows.count == 2)
                let first = rows[0]
                #expect(try first.string("s") == "Zoë 🚀 日本語 — naïve")
                #expect(try first.int("i") == Int(Int64.min))
                #expect(try first.double("d") == 3.141592653589793)
                #expect(try first.bool("b") == true)
                #expect(try first.bytes("blob_value") == blob)
                let readBack = try #require(try first.date("at"))
                #expect(abs(readBack.timeIntervalSince1970 - at.timeIntervalSince1970) < 0.000_001)
                #expect(try first.string("at") == "2026-11-18 11:06:40.654321")
                #expect(try first.uuid("u") == uuid)
                #expect(try first.string("u") == uuid.uuidString.lowercased())
                let second = rows[1]
                #expect(try second.isNull("s") && second.isNull("t") && second.isNull("at") && second.isNull("u"))
                #expect(try second.int("i") == Int(Int64.max))
                #expect(try second.double("d") == -1e-300)
                #expect(try second.bool("b") == false)
                #expect(try second.bytes("blob_value") == [])
            }
        }
    }

    @Test func parametersComeBackAsText() async throws {
        try await TestMariaDB.withClient { client in
            let rows = try await client.query(
                "SELECT ? AS s, ? AS i, ? AS d, ? AS b, ? AS n, ? AS bin, ? AS u",
                ["x'y\"z\\", 42, 0.1, true, nil, .bytes([0, 1, 2]), .uuid(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!)])
            let row = try #require(rows.first)
            #expect(row.columns == ["s", "i", "d", "b", "n", "bin", "u"])
            #expect(try row.string("s") == "x'y\"z\\")
            #expect(try row.int("i") == 42)
            #expect(try row.double("d") == 0.1)
            #expect(try row.bool("b") == true)
            #expect(try row.isNull("n"))
            #expect(try row.bytes("bin") == [0, 1, 2])
            #expect(try row.string("u") == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        }
    }

    @Test func serverTypesPrintLikeTheTextProtocol() async throws {
        try await TestMariaDB.withClient { client in
            let row = try #require(
                try await client.query(
                    """
                    SELECT CAST(18446744073709551615 AS UNSIGNED) AS big, CAST(0.1 AS FLOAT) AS f, 12.50 AS amount,
                        DATE '2026-02-03' AS day, CAST('-27:04:05.25' AS TIME(2)) AS span,
                        TIMESTAMP '2026-02-03 04:05:06' AS whole, @@session.time_zone AS zone,
                        CAST(NULL AS SIGNED) AS nothing
                    """
                ).first)
            #expect(try row.string("big") == "18446744073709551615")
            #expect(try row.string("f") == "0.1")
            #expect(try row.string("amount") == "12.50")
            #expect(try row.string("day") == "2026-02-03")
            #expect(try row.string("span") == "-27:04:05.25")
            #expect(try row.string("whole") == "2026-02-03 04:05:06")
            #expect(try row.string("zone") == "+00:00")
            #expect(try row.isNull("nothing"))
        }
    }

    @Test func largeTextAndBlobsRoundTrip() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY, t LONGTEXT, b LONGBLOB", on: client) { table in
                let text = String(repeating: "Grüße, café ☕ ", count: 150_000)  // about 2.5 MB of UTF-8
                let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                try await client.execute("INSERT INTO \(table) VALUES (1, ?, ?), (2, 'short', x'00')", [.string(text), .bytes(bytes)])
                let rows = try await client.query("SELECT t, b FROM \(table) ORDER BY id")
                #expect(try rows[0].string("t") == text)
                #expect(try rows[0].bytes("b") == bytes)
                #expect(try rows[1].string("t") == "short")
                #expect(try rows[1].bytes("b") == [0])
            }
        }
    }

    @Test func aCachedStatementSeesSchemaChanges() async throws {
        try await TestMariaDB.withClient(poolSize: 1) { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY", on: client) { table in
                try await client.execute("INSERT INTO \(table) VALUES (1)")
                let before = try await client.query("SELECT * FROM \(table)")
                try await client.execute("ALTER TABLE \(table) ADD COLUMN label VARCHAR(20) NOT NULL DEFAULT 'new'")
                let after = try await client.query("SELECT * FROM \(table)")
                #expect(before.first?.columns == ["id"])
                #expect(after.first?.columns == ["id", "label"])
                #expect(try after.first?.string("label") == "new")
            }
        }
    }

    @Test func aQuoteLadenParameterIsStoredVerbatim() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY, note TEXT", on: client) { table in
                let hostile = "'; DROP TABLE \(table); --"
                try await client.execute("INSERT INTO \(table) VALUES (?, ?)", [1, .string(hostile)])
                let rows = try await client.query("SELECT note FROM \(table) WHERE note = ?", [.string(hostile)])
                #expect(try rows.first?.string("note") == hostile)
            }
        }
    }
}
