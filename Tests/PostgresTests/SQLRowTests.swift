import DatabaseKit
import Foundation
import Testing

@Suite("SQLRow")
struct SQLRowTests {
    static func row(_ pairs: KeyValuePairs<String, String?>) -> SQLRow {
        SQLRow(columns: pairs.map(\.key), values: pairs.map { $0.value.map { Array($0.utf8) } })
    }

    @Test(arguments: [
        ("t", true), ("true", true), ("TRUE", true), ("1", true), ("f", false), ("false", false), ("F", false), ("0", false),
    ])
    func readsEveryBooleanSpelling(text: String, value: Bool) throws {
        #expect(try Self.row(["b": text]).bool("b") == value)
    }

    @Test(arguments: ["yes", "", "2", "tru"])
    func refusesOtherBooleans(text: String) {
        let error = #expect(throws: DatabaseError.self) { try Self.row(["b": text]).bool("b") }
        #expect(error?.kind == .decodingFailed)
        #expect(error?.message.contains("'b'") == true)
    }

    @Test func decodesHexBytea() throws {
        let all = (0...255).map(UInt8.init)
        let lower = "\\x" + all.map { String(format: "%02x", $0) }.joined()
        #expect(try Self.row(["b": lower]).bytes("b") == all)
        #expect(try Self.row(["b": "\\xDEADbeef"]).bytes("b") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(try Self.row(["b": "\\x"]).bytes("b") == [])
        // Without the prefix the bytes are taken as they are (MariaDB blobs).
        #expect(try Self.row(["b": "abc"]).bytes("b") == Array("abc".utf8))
        #expect(try SQLRow(columns: ["b"], values: [[0, 255, 92]]).bytes("b") == [0, 255, 92])
    }

    @Test(arguments: ["\\xabc", "\\xzz", "\\x0g"])
    func refusesBadHex(text: String) {
        let error = #expect(throws: DatabaseError.self) { try Self.row(["b": text]).bytes("b") }
        #expect(error?.kind == .decodingFailed)
    }

    @Test func decodesNumbersDatesAndUUIDs() throws {
        let row = Self.row([
            "i": "-9223372036854775808", "d": "2.5e-3", "nan": "NaN", "at": "2026-11-18 11:06:40.654321+00",
            "u": "e621e1f8-c36c-495a-93fc-0c247a3e6e5f", "s": "Zoë 🚀",
        ])
        #expect(try row.int("i") == Int.min)
        #expect(try row.double("d") == 0.0025)
        #expect(try row.double("nan")?.isNaN == true)
        #expect(try row.date("at") == Date(timeIntervalSince1970: 1_795_000_000.654321))
        #expect(try row.uuid("u") == UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
        #expect(try row.string("s") == "Zoë 🚀")
        for (column, kind) in [("s", "int"), ("s", "double"), ("s", "uuid"), ("s", "date")] {
            let error = #expect(throws: DatabaseError.self, "\(kind)") {
                switch kind {
                case "int": _ = try row.int(column)
                case "double": _ = try row.double(column)
                case "uuid": _ = try row.uuid(column)
                default: _ = try row.date(column)
                }
            }
            #expect(error?.kind == .decodingFailed)
        }
    }

    @Test func nullsReadAsNilAndRequiredRefusesThem() throws {
        let row = Self.row(["n": nil, "v": "7"])
        #expect(try row.isNull("n"))
        #expect(try !row.isNull("v"))
        #expect(try row.string("n") == nil && row.int("n") == nil && row.bool("n") == nil && row.bytes("n") == nil)
        #expect(try row.required("v", row.int) == 7)
        let error = #expect(throws: DatabaseError.self) { try row.required("n", row.int) }
        #expect(error?.kind == .decodingFailed)
        #expect(error?.message.contains("'n'") == true)
    }

    @Test func aMissingColumnIsADecodingError() {
        let row = Self.row(["id": "1"])
        let reads: [() throws -> Void] = [
            { _ = try row.raw("nope") }, { _ = try row.string("nope") }, { _ = try row.int("nope") }, { _ = try row.isNull("nope") },
        ]
        for read in reads {
            let error = #expect(throws: DatabaseError.self) { try read() }
            #expect(error?.kind == .decodingFailed)
            #expect(error?.message.contains("nope") == true)
        }
    }

    @Test func theFirstOfTwoSameNamedColumnsWins() throws {
        let row = SQLRow(columns: ["id", "id"], values: [Array("1".utf8), Array("2".utf8)])
        #expect(try row.int("id") == 1)
    }
}
