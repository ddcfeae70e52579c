"""Tests of the development server through pymongo and raw wire messages.

Each test module run starts real server processes on free ports (`--port 0`).
Run: python -m pytest scripts/mongo-dev/test_server.py
"""

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import bson
import pymongo
import pytest
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

SERVER = Path(__file__).resolve().parent / "server.py"
LISTENING = re.compile(r"listening on ([\d.]+):(\d+)")


class DevServer:
    def __init__(self, *args, preexec_fn=None, env=None):
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), "--port", "0", "--log-level", "info", *args],
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=preexec_fn,
            env=env,
        )
        for line in self.process.stderr:
            match = LISTENING.search(line)
            if match:
                self.port = int(match.group(2))
                break
        else:
            raise RuntimeError(f"server exited with {self.process.wait()}")
        self.startup_seconds = time.monotonic() - started
        self.url = f"mongodb://127.0.0.1:{self.port}"

    def client(self) -> pymongo.MongoClient:
        return pymongo.MongoClient(self.url, serverSelectionTimeoutMS=3000)

    def stop(self):
        self.process.terminate()
        assert self.process.wait(timeout=10) == 0
        self.process.stderr.close()


@pytest.fixture(scope="module")
def server():
    instance = DevServer("--storage", "memory")
    yield instance
    instance.stop()


@pytest.fixture
def db(server, request):
    client = server.client()
    database = client[f"test_{request.node.name}"[:60].replace("[", "_").replace("]", "_")]
    yield database
    client.drop_database(database.name)
    client.close()


def _raw_call(port: int, op_code: int, body: bytes) -> tuple:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(struct.pack("<iiii", 16 + len(body), 7, 0, op_code) + body)
        header = b""
        while len(header) < 16:
            header += sock.recv(16 - len(header))
        length, _, response_to, reply_op = struct.unpack("<iiii", header)
        payload = b""
        while len(payload) < length - 16:
            payload += sock.recv(length - 16 - len(payload))
    assert response_to == 7
    return reply_op, payload


def test_starts_quickly(server):
    assert server.startup_seconds < 1.0


def test_legacy_handshake_is_answered_with_op_reply(server):
    query = struct.pack("<i", 0) + b"admin.$cmd\x00" + struct.pack("<ii", 0, -1)
    query += bson.encode({"isMaster": 1, "helloOk": True, "client": {"driver": {"name": "t"}}})
    op, payload = _raw_call(server.port, 2004, query)
    assert op == 1
    flags, cursor_id, start, returned = struct.unpack_from("<iqii", payload)
    assert (flags, cursor_id, returned) == (0, 0, 1)
    reply = bson.decode(payload[20:])
    assert reply["ismaster"] is True and reply["maxWireVersion"] == 17
    assert reply["maxBsonObjectSize"] == 16 * 1024 * 1024
    for absent in ("setName", "topologyVersion", "compression", "msg"):
        assert absent not in reply


def test_op_msg_document_sequence(server):
    body = bson.encode({"insert": "seq", "$db": "test_seq"})
    docs = b"".join(bson.encode({"_id": i}) for i in range(3))
    sequence = struct.pack("<i", 4 + len(b"documents\x00") + len(docs)) + b"documents\x00" + docs
    op, payload = _raw_call(server.port, 2013, struct.pack("<I", 0) + b"\x00" + body + b"\x01" + sequence)
    assert op == 2013
    assert payload[4] == 0
    assert bson.decode(payload[5:]) == {"n": 3, "ok": 1.0}
    server.client().drop_database("test_seq")


def test_unacknowledged_writes_get_no_reply(db):
    from pymongo import WriteConcern

    db.get_collection("w0", write_concern=WriteConcern(w=0)).insert_one({"_id": 1})
    assert db.w0.find_one({"_id": 1}) == {"_id": 1}  # same connection, so the write came first


def test_sigterm_stops_even_when_spawned_with_it_blocked():
    # Foundation's Process (used by the Swift tests) starts children with signals blocked.
    block = lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})  # noqa: E731
    instance = DevServer("--storage", "memory", preexec_fn=block)
    instance.stop()


def test_unknown_command_is_command_not_found(db):
    with pytest.raises(OperationFailure) as caught:
        db.command("frobnicate")
    assert caught.value.code == 59
    assert "no such command" in str(caught.value)


def test_ping_build_info_end_sessions(db):
    assert db.command("ping")["ok"] == 1.0
    assert db.command("buildInfo")["versionArray"][0] == 6
    assert db.command("endSessions", [])["ok"] == 1.0


def test_insert_find_sort_skip_limit_projection(db):
    db.items.insert_many([{"_id": i, "n": i % 5, "name": f"item{i}"} for i in range(20)])
    found = list(db.items.find({"n": {"$gte": 3}}, {"name": 1}).sort([("n", -1), ("_id", 1)]).skip(2).limit(3))
    assert found == [{"_id": 14, "name": "item14"}, {"_id": 19, "name": "item19"}, {"_id": 3, "name": "item3"}]
    assert db.items.find_one({"_id": 7})["name"] == "item7"
    assert db.items.find_one({"_id": 99}) is None


def test_cursor_batches_and_get_more(db):
    db.many.insert_many([{"_id": i} for i in range(250)])
    first = db.command("find", "many", batchSize=100)
    assert len(first["cursor"]["firstBatch"]) == 100 and first["cursor"]["id"] != 0
    more = db.command("getMore", first["cursor"]["id"], collection="many", batchSize=100)
    assert [d["_id"] for d in more["cursor"]["nextBatch"]] == list(range(100, 200))
    killed = db.command("killCursors", "many", cursors=[first["cursor"]["id"]])
    assert killed["cursorsKilled"] == [first["cursor"]["id"]]
    with pytest.raises(OperationFailure) as caught:
        db.command("getMore", first["cursor"]["id"], collection="many")
    assert caught.value.code == 43
    assert len(list(db.many.find({}, batch_size=7))) == 250


def test_update_operators_upsert_and_multi(db):
    db.people.insert_many([{"_id": 1, "age": 30, "tags": [], "old": True}, {"_id": 2, "age": 40, "tags": []}])
    result = db.people.update_one(
        {"_id": 1}, {"$set": {"name": "Ann"}, "$unset": {"old": ""}, "$inc": {"age": 1}, "$push": {"tags": "x"}}
    )
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert db.people.find_one({"_id": 1}) == {"_id": 1, "age": 31, "tags": ["x"], "name": "Ann"}
    assert db.people.update_many({}, {"$inc": {"age": 10}}).modified_count == 2
    upsert = db.people.update_one({"_id": 3}, {"$set": {"age": 5}}, upsert=True)
    assert upsert.upserted_id == 3 and upsert.matched_count == 0
    assert db.people.update_one({"_id": 42}, {"$set": {"a": 1}}).matched_count == 0
    db.people.replace_one({"_id": 2}, {"replaced": True})
    assert db.people.find_one({"_id": 2}) == {"_id": 2, "replaced": True}


def test_delete_one_and_many(db):
    db.d.insert_many([{"k": i % 2} for i in range(10)])
    assert db.d.delete_one({"k": 0}).deleted_count == 1
    assert db.d.delete_many({"k": 0}).deleted_count == 4
    assert db.d.count_documents({}) == 5


def test_counts(db):
    db.c.insert_many([{"v": i} for i in range(30)])
    assert db.c.count_documents({"v": {"$lt": 10}}) == 10
    assert db.c.count_documents({}, skip=5, limit=10) == 10
    assert db.command("count", "c", query={"v": {"$gte": 25}})["n"] == 5
    assert db.c.estimated_document_count() == 30
    assert db.c.count_documents({"missing": 1}) == 0


def test_unique_index_and_duplicate_id(db):
    assert db.users.create_index("email", unique=True) == "email_1"
    db.users.insert_one({"_id": "u1", "email": "a@b"})
    with pytest.raises(DuplicateKeyError) as caught:
        db.users.insert_one({"_id": "u2", "email": "a@b"})
    assert caught.value.code == 11000
    assert caught.value.details["keyValue"] == {"email": "a@b"}
    assert "E11000 duplicate key error collection: " in caught.value.details["errmsg"]
    assert 'index: email_1 dup key: { email: "a@b" }' in caught.value.details["errmsg"]
    with pytest.raises(DuplicateKeyError):
        db.users.insert_one({"_id": "u1", "email": "other"})
    db.users.insert_one({"_id": "u3", "email": "c@d"})
    with pytest.raises(DuplicateKeyError):
        db.users.update_one({"_id": "u3"}, {"$set": {"email": "a@b"}})
    assert db.users.find_one({"_id": "u3"})["email"] == "c@d"
    with pytest.raises(BulkWriteError) as bulk:
        db.users.insert_many([{"email": "e"}, {"email": "e"}, {"email": "f"}], ordered=False)
    assert bulk.value.details["nInserted"] == 2
    assert db.users.count_documents({}) == 4  # u1, u3, e, f


def test_unique_index_over_existing_duplicates_fails(db):
    db.dups.insert_many([{"k": 1}, {"k": 1}])
    with pytest.raises(OperationFailure) as caught:
        db.dups.create_index("k", unique=True)
    assert caught.value.code == 11000


def test_list_and_drop_indexes(db):
    db.ix.create_index([("a", 1), ("b", -1)], name="ab")
    db.ix.create_index("c", unique=True)
    db.ix.create_index("c", unique=True)  # same spec again is fine
    names = {index["name"]: index for index in db.ix.list_indexes()}
    assert set(names) == {"_id_", "ab", "c_1"} and names["c_1"]["unique"] is True
    db.ix.drop_index("ab")
    assert {index["name"] for index in db.ix.list_indexes()} == {"_id_", "c_1"}
    with pytest.raises(OperationFailure) as caught:
        db.ix.drop_index("nope")
    assert caught.value.code == 27
    db.ix.drop_indexes()
    assert [index["name"] for index in db.ix.list_indexes()] == ["_id_"]
    db.ix.insert_one({"_id": 1})
    db.ix.delete_many({})
    assert db.list_collection_names() == ["ix"]  # an emptied collection still exists


def test_collections_drop_and_list(db):
    db.create_collection("empty")
    db.a.insert_one({"x": 1})
    assert sorted(db.list_collection_names()) == ["a", "empty"]
    assert db.list_collection_names(filter={"name": "a"}) == ["a"]
    db.a.drop()
    assert db.list_collection_names() == ["empty"]
    with pytest.raises(OperationFailure) as caught:
        db.command("drop", "never-existed")
    assert caught.value.code == 26


def test_aggregate_distinct_find_and_modify(db):
    db.s.insert_many([{"cat": c, "v": i} for i, c in enumerate("aabbb")])
    grouped = list(db.s.aggregate([{"$group": {"_id": "$cat", "total": {"$sum": "$v"}}}, {"$sort": {"_id": 1}}]))
    assert grouped == [{"_id": "a", "total": 1}, {"_id": "b", "total": 9}]
    assert sorted(db.s.distinct("cat")) == ["a", "b"]
    after = db.s.find_one_and_update({"v": 0}, {"$set": {"v": 100}}, return_document=True)
    assert after["v"] == 100


def test_types_and_plain_strings_round_trip(db):
    import datetime

    from bson import Binary, Int64, ObjectId

    document = {
        "_id": ObjectId(),
        "double": 1.5,
        "int32": 7,
        "int64": Int64(7),
        "string": '{"$oid": "5f1d7f3b2c1e4a0001a1b2c3"}',
        "dollar": "$set",
        "bool": True,
        "null": None,
        "date": datetime.datetime(2024, 5, 6, 7, 8, 9, 123000),
        "binary": b"\x00\x01",
        "uuid": Binary(b"0123456789abcdef", 4),
        "array": [1, "two", {"three": 3}],
        "doc": {"nested": {"deep": "yes"}},
    }
    db.t.insert_one(dict(document))
    raw = db.t.find_one({"_id": document["_id"]})
    assert raw == document
    assert isinstance(raw["int64"], Int64) and not isinstance(raw["int32"], Int64)


def test_sqlite_persists_across_restart(tmp_path):
    first = DevServer("--storage", "sqlite", "--path", str(tmp_path / "data"))
    client = first.client()
    client.app.users.create_index("email", unique=True)
    client.app.users.insert_one({"_id": 1, "email": "a@b"})
    client.close()
    first.stop()
    second = DevServer("--storage", "sqlite", "--path", str(tmp_path / "data"))
    client = second.client()
    try:
        assert client.app.users.find_one({"_id": 1}) == {"_id": 1, "email": "a@b"}
        with pytest.raises(DuplicateKeyError):
            client.app.users.insert_one({"_id": 2, "email": "a@b"})
        assert "app" in client.list_database_names()
    finally:
        client.close()
        second.stop()


@pytest.mark.skipif(os.environ.get("MONGO_DEV_BENCH") != "1", reason="set MONGO_DEV_BENCH=1 to print throughput")
def test_throughput(db):
    started = time.monotonic()
    for i in range(2000):
        db.bench.insert_one({"_id": i, "v": i})
    inserts = 2000 / (time.monotonic() - started)
    started = time.monotonic()
    for i in range(2000):
        db.bench.find_one({"_id": i})
    finds = 2000 / (time.monotonic() - started)
    print(f"\npymongo against mongo-dev: {inserts:.0f} inserts/s, {finds:.0f} _id finds/s")


def test_auth_requires_scram_and_confines_users_to_their_database(tmp_path):
    env = {**os.environ, "MONGO_INITDB_ROOT_USERNAME": "root", "MONGO_INITDB_ROOT_PASSWORD": "root-secret-123"}
    server = DevServer("--storage", "sqlite", "--path", str(tmp_path), "--auth", env=env)
    try:
        def client(user=None, password=None, source="admin"):
            account = {"username": user, "password": password, "authSource": source} if user else {}
            return pymongo.MongoClient(server.url, serverSelectionTimeoutMS=3000, **account)

        assert client().admin.command("ping")["ok"] == 1.0  # health checks need no account
        with pytest.raises(OperationFailure) as refused:
            client().clients.people.find_one()
        assert refused.value.code == 13
        with pytest.raises(OperationFailure) as wrong:
            client("root", "not-the-password").admin.command("listDatabases")
        assert wrong.value.code == 18

        root = client("root", "root-secret-123")
        root.clients.command("createUser", "clients", pwd="clients-secret-1", roles=[{"role": "readWrite", "db": "clients"}])
        assert [u["user"] for u in root.clients.command("usersInfo", "clients")["users"]] == ["clients"]
        own = client("clients", "clients-secret-1", source="clients")
        own.clients.people.insert_one({"name": "ada"})
        assert own.clients.people.find_one({}, {"_id": 0}) == {"name": "ada"}
        with pytest.raises(OperationFailure) as elsewhere:
            own.other.things.find_one()
        assert elsewhere.value.code == 13
        root.clients.command("updateUser", "clients", pwd="clients-secret-2")
        with pytest.raises(OperationFailure):
            client("clients", "clients-secret-1", source="clients").clients.people.find_one()
    finally:
        server.stop()

    # Users survive a restart with sqlite storage; the new password holds.
    server = DevServer("--storage", "sqlite", "--path", str(tmp_path), "--auth", env=env)
    try:
        again = pymongo.MongoClient(server.url, username="clients", password="clients-secret-2", authSource="clients",
                                    serverSelectionTimeoutMS=3000)
        assert again.clients.people.count_documents({}) == 1
    finally:
        server.stop()
