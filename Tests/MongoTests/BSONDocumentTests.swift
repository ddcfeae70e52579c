import DatabaseKit
import Foundation
import Testing

@testable import Mongo

/// Pure BSON tests: literals, ordering, and round trips through libbson (no server needed).
@Suite struct BSONDocumentTests {
    /// Encodes with libbson's append functions and reads back with its iterator.
    private func roundTrip(_ document: BSONDocument) throws -> BSONDocument {
        let buffer = try BSONWriter.encode(document)
        return try buffer.decode()
    }

    @Test func literalsBuildOrderedDocuments() {
        let document: BSONDocument = ["email": "a@b", "age": 3, "score": 1.5, "tags": ["x", 1], "address": ["city": "Oslo"]]
        #expect(document.keys == ["email", "age", "score", "tags", "address"])
        #expect(document["email"] == .string("a@b"))
        #expect(document["age"] == .int32(3))
        #expect(document["tags"] == .array([.string("x"), .int32(1)]))
        #expect(document["address"]?.documentValue?["city"]?.stringValue == "Oslo")
        #expect(document["missing"] == nil)
    }

    @Test func subscriptReplacesInPlaceAndRemovesWithNil() {
        var document: BSONDocument = ["a": 1, "b": 2, "c": 3]
        document["b"] = "two"
        document["d"] = .null
        document["a"] = nil
        #expect(document.keys == ["b", "c", "d"])
        #expect(document["b"] == "two")
        #expect(document["d"] == .null)
        #expect(Array(document.map(\.key)) == ["b", "c", "d"])
    }

    @Test func integersPickTheirWidth() {
        #expect(BSON(7) == .int32(7))
        #expect(BSON(Int(Int32.max) + 1) == .int64(Int64(Int32.max) + 1))
        #expect(BSON.int64(9).intValue == 9)
        #expect(BSON.double(2).intValue == 2)
        #expect(BSON.string("2").intValue == nil)
    }

    @Test func everyTypeSurvivesLibbson() throws {
        let id = BSON.newObjectID()
        let document: BSONDocument = [
            "_id": id,
            "double": .double(-0.25),
            "string": .string("héllo ✓ \u{0}inside"),
            "empty": .string(""),
            "document": ["nested": ["deep": .bool(false)]],
            "array": [.int32(1), "two", [.null], ["k": .int64(3)]],
            "binary": .binary(Data([0, 1, 2, 255])),
            "emptyBinary": .binary(Data()),
            "uuid": .binary(Data(repeating: 7, count: 16), subtype: 4),
            "bool": .bool(true),
            "date": .date(Date(timeIntervalSince1970: 1_700_000_000.123)),
            "null": .null,
            "int32": .int32(Int32.min),
            "int64": .int64(Int64.max),
            "smallInt64": .int64(5),
        ]
        #expect(try roundTrip(document) == document)
        #expect(id.objectIDValue?.count == 24)
        #expect(BSON.newObjectID() != id)
    }

    @Test func extendedJSONLookalikesStayStrings() throws {
        let document: BSONDocument = [
            "oid": #"{"$oid": "5f1d7f3b2c1e4a0001a1b2c3"}"#,
            "date": #"{"$date": 0}"#,
            "operator": "$set",
            "path": "a.b",
        ]
        let decoded = try roundTrip(document)
        #expect(decoded == document)
        #expect(decoded["oid"] == .string(#"{"$oid": "5f1d7f3b2c1e4a0001a1b2c3"}"#))
    }

    @Test func invalidValuesAreRefused() {
        #expect(throws: DatabaseError.self) { try roundTrip(["_id": .objectID("not-hex")]) }
        #expect(throws: DatabaseError.self) { try roundTrip(["bad\u{0}key": 1]) }
        #expect(throws: DatabaseError.self) { try roundTrip(["x": .unsupported(type: 0x11)]) }
    }
}
