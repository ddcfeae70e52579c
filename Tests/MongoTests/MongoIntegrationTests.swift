import DatabaseKit
import Foundation
import Mongo
import TestSupport
import Testing

@Suite(.needs(.mongo)) struct MongoIntegrationTests {
    @Test(arguments: MongoTestEnvironment.urls)
    func everyBSONTypeRoundTrips(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            let document: BSONDocument = [
                "_id": BSON.newObjectID(),
                "double": 3.25,
                "string": "héllo ✓",
                "document": ["nested": ["deep": true]],
                "array": [1, "two", .null, ["k": .int64(3)]],
                "binary": .binary(Data([0, 1, 2, 255])),
                "uuid": .binary(Data(repeating: 9, count: 16), subtype: 4),
                "bool": false,
                "date": .date(Date(timeIntervalSince1970: 1_700_000_000.123)),
                "null": .null,
                "int32": .int32(-7),
                "int64": .int64(1 << 40),
                "smallInt64": .int64(5),
            ]
            let id = try await collection.insertOne(document)
            #expect(id == document["_id"])
            #expect(try await collection.findOne(["_id": id]) == document)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func lookalikeStringsStayPlainStrings(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            let oid = #"{"$oid": "5f1d7f3b2c1e4a0001a1b2c3"}"#
            let id = try await collection.insertOne(["note": .string(oid), "op": "$gt", "path": "a.b", "date": #"{"$date": 0}"#])
            let found = try #require(try await collection.findOne(["note": .string(oid)]))
            #expect(found["_id"] == id)
            #expect(found["note"] == .string(oid))
            #expect(found["op"] == "$gt" && found["path"] == "a.b" && found["date"] == #"{"$date": 0}"#)
            #expect(try await collection.countDocuments(["op": "$gt"]) == 1)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func insertFindSortSkipLimit(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            let ids = try await collection.insertMany((0..<20).map { ["n": BSON($0), "even": .bool($0 % 2 == 0)] })
            #expect(ids.count == 20 && Set(ids.compactMap(\.objectIDValue)).count == 20)
            let page = try await collection.find(["even": true], sort: ["n": -1], skip: 2, limit: 3)
            #expect(page.compactMap { $0["n"]?.intValue } == [14, 12, 10])
            let projected = try await collection.find(["n": ["$lt": 2]], sort: ["n": 1], projection: ["_id": 0, "n": 1])
            #expect(projected == [["n": 0], ["n": 1]])
            #expect(try await collection.findOne(["n": 7])?["even"] == false)
            #expect(try await collection.findOne(["n": 99]) == nil)
            #expect(try await collection.find().count == 20)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func updateOperatorsAndUpsert(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            try await collection.insertMany([
                ["_id": "a", "age": 30, "tags": [], "old": true],
                ["_id": "b", "age": 40, "tags": []],
            ])
            let one = try await collection.updateOne(
                filter: ["_id": "a"],
                update: ["$set": ["name": "Ann"], "$unset": ["old": ""], "$inc": ["age": 1], "$push": ["tags": "x"]])
            #expect(one.matched == 1 && one.modified == 1 && one.upsertedID == nil)
            #expect(try await collection.findOne(["_id": "a"]) == ["_id": "a", "age": 31, "tags": ["x"], "name": "Ann"])
            let many = try await collection.updateMany(filter: [:], update: ["$inc": ["age": 10]])
            #expect(many.matched == 2 && many.modified == 2)
            let none = try await collection.updateOne(filter: ["_id": "zz"], update: ["$set": ["x": 1]])
            #expect(none.matched == 0 && none.modified == 0 && none.upsertedID == nil)
            let upserted = try await collection.updateOne(filter: ["_id": "c"], update: ["$set": ["age": 5]], upsert: true)
            #expect(upserted.matched == 0 && upserted.upsertedID == "c")
            #expect(try await collection.findOne(["_id": "c"])?["age"] == 5)
            await #expect(throws: DatabaseError.self) {
                try await collection.updateOne(filter: ["_id": "a"], update: ["age": 1])  // not an operator update
            }
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func deleteAndCount(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            try await collection.insertMany((0..<10).map { ["k": BSON($0 % 2)] })
            #expect(try await collection.countDocuments() == 10)
            #expect(try await collection.countDocuments(["k": 0]) == 5)
            #expect(try await collection.deleteOne(["k": 0]) == 1)
            #expect(try await collection.deleteMany(["k": 0]) == 4)
            #expect(try await collection.deleteMany(["k": 0]) == 0)
            #expect(try await collection.countDocuments() == 5)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func uniqueIndexRefusesDuplicates(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            try await collection.createIndex(keys: ["email": 1], name: "email_unique", unique: true)
            try await collection.createIndex(keys: ["email": 1], name: "email_unique", unique: true)  // idempotent
            try await collection.insertOne(["_id": 1, "email": "a@b"])
            let duplicate = await #expect(throws: DatabaseError.self) {
                try await collection.insertOne(["_id": 2, "email": "a@b"])
            }
            #expect(duplicate?.kind == .uniqueViolation && duplicate?.code == "11000")
            #expect(duplicate?.message.contains("email_unique") == true)
            let sameID = await #expect(throws: DatabaseError.self) { try await collection.insertOne(["_id": 1, "email": "x"]) }
            #expect(sameID?.kind == .uniqueViolation)
            try await collection.insertOne(["_id": 3, "email": "c@d"])
            let update = await #expect(throws: DatabaseError.self) {
                try await collection.updateOne(filter: ["_id": 3], update: ["$set": ["email": "a@b"]])
            }
            #expect(update?.kind == .uniqueViolation)
            let many = await #expect(throws: DatabaseError.self) {
                try await collection.insertMany([["email": "e"], ["email": "e"]])
            }
            #expect(many?.kind == .uniqueViolation)
            #expect(try await collection.countDocuments() == 3)  // 1, 3 and the first "e"

            try await collection.insertMany([["k": 1, "email": "k1"], ["k": 1, "email": "k2"]])
            let build = await #expect(throws: DatabaseError.self) {
                try await collection.createIndex(keys: ["k": 1], name: "k_unique", unique: true)
            }
            #expect(build?.kind == .uniqueViolation)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func manyDocumentsSpanSeveralBatches(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { _, collection in
            let filler = String(repeating: "x", count: 200)
            try await collection.insertMany((0..<1500).map { ["i": BSON($0), "filler": .string(filler)] })
            let all = try await collection.find([:], sort: ["i": 1])
            #expect(all.count == 1500)
            #expect(all.compactMap { $0["i"]?.intValue } == Array(0..<1500))
            #expect(try await collection.find(["i": ["$gte": 1000]], skip: 100, limit: 250).count == 250)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func concurrentTasksShareABoundedPool(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url, poolSize: 3) { client, collection in
            #expect(client.configuration.poolSize == 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<40 {
                    group.addTask {
                        for item in 0..<10 {
                            try await collection.insertOne(["task": BSON(task), "item": BSON(item)])
                        }
                        #expect(try await collection.countDocuments(["task": BSON(task)]) == 10)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await collection.countDocuments() == 400)
        }
    }

    @Test(arguments: MongoTestEnvironment.urls)
    func commandsAndDrop(url: String) async throws {
        try await MongoTestEnvironment.withCollection(url) { client, collection in
            try await client.ping()
            let info = try await client.runCommand(["buildInfo": 1])
            #expect(info["version"]?.stringValue?.isEmpty == false)
            let unknown = await #expect(throws: DatabaseError.self) { try await client.runCommand(["noSuchCommand": 1]) }
            #expect(unknown?.kind == .queryFailed && unknown?.code == "59")
            try await collection.insertOne(["x": 1])
            try await collection.drop()
            #expect(try await collection.countDocuments() == 0)
            try await collection.drop()  // dropping a missing collection is fine
        }
    }
}
