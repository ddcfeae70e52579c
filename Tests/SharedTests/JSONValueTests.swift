import PlatformCore
import Testing

/// The hand-written JSON reader behind the OpenAPI document and the explicit-null check of bodies.
struct JSONValueTests {
    @Test func readsEveryKindOfValue() throws {
        let value = try JSONValue(parsing: Array(#" { "a": [1, -2.5e3, true, false, null], "b": {"c": "x\"\\\/\u00e9\ud83d\ude00\n"}, "": {} } "#.utf8))
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["b"]?["c"] == .string("x\"\\/é😀\n"))
        #expect(value[""] == .object([:]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "tru", "\"open", "\"\u{1}\"", "1 2", "{\"a\":1}x", "\"\\x\"", "\"\\u12\"", "[1e]",
    ])
    func refusesMalformedDocuments(_ text: String) {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue(parsing: Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? JSONValue(parsing: Array(fine.utf8))) != nil)
    }

    @Test func aLoneSurrogateBecomesTheReplacementCharacter() throws {
        #expect(try JSONValue(parsing: Array(#""\ud83dx""#.utf8)) == .string("\u{FFFD}x"))
    }
}
