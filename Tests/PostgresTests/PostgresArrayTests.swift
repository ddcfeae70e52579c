import DatabaseKit
import Postgres
import TestSupport
import Testing

@Suite struct PostgresArrayTests {
    private func parse(_ text: String) throws -> [String]? {
        try SQLRow(columns: ["a"], values: [Array(text.utf8)]).textArray("a")
    }

    @Test func plainQuotedEmptyAndNullElementsParse() throws {
        #expect(try parse("{}") == [])
        #expect(try parse("{admin,customer}") == ["admin", "customer"])
        #expect(try parse(#"{"a b","c,d",NULL,"x\"y","back\\slash"}"#) == ["a b", "c,d", #"x"y"#, #"back\slash"#])
    }

    @Test func textThatIsNotAnArrayIsADecodingError() {
        #expect(throws: DatabaseError.self) { try parse("admin") }
    }

    @Test func aLiteralQuotesEveryElement() {
        #expect(SQLValue.textArray(["a", #"b"c"#, #"d\e"#]) == .string(#"{"a","b\"c","d\\e"}"#))
    }

    @Test(.needs(.postgres))
    func aRoundTripThroughTheServerKeepsEveryElement() async throws {
        let elements = ["plain", "with space", "comma,inside", #"quote"inside"#, #"back\slash"#, "{braces}", "NULL"]
        try await TestPostgres.withClient { client in
            let rows = try await client.query("SELECT $1::text[] AS a", [.textArray(elements)])
            #expect(try rows.first?.textArray("a") == elements)
        }
    }
}
