"""Catalog commands: indexes, collections and databases."""

from litemongo._vendor.mongomock import DuplicateKeyError, OperationFailure, filtering

from errors import CommandError

_ID_INDEX = {"v": 2, "key": {"_id": 1}, "name": "_id_"}
_INDEX_OPTIONS = ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds")


def _name(body: dict, command: str) -> str:
    name = body.get(command)
    if not isinstance(name, str) or not name:
        raise CommandError(2, f"collection name for '{command}' must be a non-empty string")
    return name


def _index_count(ctx, db: str, name: str) -> int:
    if not ctx.storage.exists(db, name):
        return 0
    return len(list(ctx.storage.collection(db, name).list_indexes()))


def create_indexes(ctx, db: str, body: dict) -> dict:
    name = _name(body, "createIndexes")
    specs = body.get("indexes")
    if not isinstance(specs, list) or not specs:
        raise CommandError(2, "Must specify at least one index to create")
    created_collection = not ctx.storage.exists(db, name)
    before = _index_count(ctx, db, name)
    collection = ctx.storage.collection(db, name, create=True)
    for spec in specs:
        keys = spec.get("key")
        index_name = spec.get("name")
        if not isinstance(keys, dict) or not keys or not isinstance(index_name, str):
            raise CommandError(9, "an index specification needs a non-empty 'key' document and a 'name'")
        if index_name == "_id_":
            continue
        options = {option: spec[option] for option in _INDEX_OPTIONS if spec.get(option) is not None}
        try:
            collection.create_index(list(keys.items()), name=index_name, **options)
        except DuplicateKeyError as error:
            raise CommandError(
                11000,
                f"Index build failed: E11000 duplicate key error collection: {db}.{name} index: {index_name}",
            ) from error
        except OperationFailure as error:
            raise CommandError(86, str(error)) from error
    reply = {
        "numIndexesBefore": before,
        "numIndexesAfter": _index_count(ctx, db, name),
        "createdCollectionAutomatically": created_collection,
        "ok": 1.0,
    }
    if reply["numIndexesAfter"] == before:
        reply["note"] = "all indexes already exist"
    return reply


def list_indexes(ctx, db: str, body: dict) -> dict:
    name = _name(body, "listIndexes")
    if not ctx.storage.exists(db, name):
        raise CommandError(26, f"ns does not exist: {db}.{name}")
    indexes = [dict(index) for index in ctx.storage.collection(db, name).list_indexes()]
    batch_size = (body.get("cursor") or {}).get("batchSize")
    return {"cursor": ctx.cursors.open(f"{db}.{name}", indexes, batch_size), "ok": 1.0}


def drop_indexes(ctx, db: str, body: dict) -> dict:
    name = _name(body, "dropIndexes")
    if not ctx.storage.exists(db, name):
        raise CommandError(26, f"ns not found {db}.{name}")
    collection = ctx.storage.collection(db, name)
    before = _index_count(ctx, db, name)
    target = body.get("index")
    existing = {index["name"]: index for index in collection.list_indexes()}
    if target == "*":
        names = [index_name for index_name in existing if index_name != "_id_"]
    elif isinstance(target, str):
        names = [target]
    elif isinstance(target, list):
        names = list(target)
    elif isinstance(target, dict):
        names = [n for n, index in existing.items() if dict(index["key"]) == dict(target)][:1] or [str(target)]
    else:
        raise CommandError(2, "'index' must be a name, a key pattern, a list of names or '*'")
    for index_name in names:
        if index_name == "_id_":
            raise CommandError(72, "cannot drop _id index")
        if index_name not in existing:
            raise CommandError(27, f"index not found with name [{index_name}]")
        collection.drop_index(index_name)
    return {"nIndexesWas": before, "ok": 1.0}


def drop(ctx, db: str, body: dict) -> dict:
    name = _name(body, "drop")
    if not ctx.storage.exists(db, name):
        raise CommandError(26, "ns not found")  # what mongod 6.0 (wire version 17) answers
    indexes = _index_count(ctx, db, name)
    ctx.storage.drop_collection(db, name)
    return {"ns": f"{db}.{name}", "nIndexesWas": indexes, "ok": 1.0}


def create(ctx, db: str, body: dict) -> dict:
    name = _name(body, "create")
    if ctx.storage.exists(db, name):
        raise CommandError(48, f"Collection {db}.{name} already exists.")
    ctx.storage.collection(db, name, create=True)
    return {"ok": 1.0}


def list_collections(ctx, db: str, body: dict) -> dict:
    query = body.get("filter") or {}
    entries = []
    for name in sorted(ctx.storage.collection_names(db)):
        entry = {"name": name, "type": "collection"}
        if not body.get("nameOnly"):
            entry.update(options={}, info={"readOnly": False}, idIndex=dict(_ID_INDEX))
        if filtering.filter_applies(query, entry):
            entries.append(entry)
    batch_size = (body.get("cursor") or {}).get("batchSize")
    return {"cursor": ctx.cursors.open(f"{db}.$cmd.listCollections", entries, batch_size), "ok": 1.0}


def list_databases(ctx, db: str, body: dict) -> dict:
    databases = [{"name": name, "sizeOnDisk": 0, "empty": False} for name in sorted(ctx.storage.database_names())]
    query = body.get("filter") or {}
    databases = [entry for entry in databases if filtering.filter_applies(query, entry)]
    if body.get("nameOnly"):
        databases = [{"name": entry["name"]} for entry in databases]
    return {"databases": databases, "totalSize": 0, "ok": 1.0}


def drop_database(ctx, db: str, body: dict) -> dict:
    for name in ctx.storage.collection_names(db):
        ctx.storage.drop_collection(db, name)
    return {"dropped": db, "ok": 1.0}
