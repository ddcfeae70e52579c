"""Document commands: insert, find, getMore, killCursors, update, delete, count,
aggregate, distinct, findAndModify."""

from litemongo._vendor.mongomock import DuplicateKeyError

from errors import CommandError
from storage import DuplicateKey, duplicate_id


def _collection_name(body: dict, command: str) -> str:
    name = body.get(command)
    if not isinstance(name, str) or not name:
        raise CommandError(2, f"collection name for '{command}' must be a non-empty string")
    return name


def _write_error(index: int, error: Exception, namespace: str, document=None) -> dict:
    if isinstance(error, DuplicateKeyError) and not isinstance(error, DuplicateKey):
        error = duplicate_id(namespace, document or {})  # mongomock's own _id check
    if isinstance(error, DuplicateKey):
        return {
            "index": index,
            "code": 11000,
            "keyPattern": error.key_pattern,
            "keyValue": error.key_value,
            "errmsg": error.message,
        }
    code = getattr(error, "code", None) or 2
    return {"index": index, "code": code, "errmsg": str(error)}


def _with_write_errors(reply: dict, errors: list) -> dict:
    if errors:
        reply["writeErrors"] = errors
    reply["ok"] = 1.0
    return reply


def insert(ctx, db: str, body: dict) -> dict:
    name = _collection_name(body, "insert")
    collection = ctx.storage.collection(db, name, create=True)
    ordered = body.get("ordered", True)
    inserted, errors = 0, []
    for index, document in enumerate(body.get("documents") or []):
        try:
            collection.insert_one(document)
            inserted += 1
        except Exception as error:  # noqa: BLE001 - every failure becomes a write error
            errors.append(_write_error(index, error, f"{db}.{name}", document))
            if ordered:
                break
    return _with_write_errors({"n": inserted}, errors)


def find(ctx, db: str, body: dict) -> dict:
    name = _collection_name(body, "find")
    collection = ctx.storage.collection(db, name)
    limit = int(body.get("limit") or 0)
    single_batch = bool(body.get("singleBatch", False))
    if limit < 0:
        limit, single_batch = -limit, True
    sort = body.get("sort") or None
    documents = list(
        collection.find(
            body.get("filter") or {},
            body.get("projection") or None,
            skip=int(body.get("skip") or 0),
            limit=limit,
            sort=list(sort.items()) if sort else None,
        )
    )
    cursor = ctx.cursors.open(f"{db}.{name}", documents, body.get("batchSize"), single_batch)
    return {"cursor": cursor, "ok": 1.0}


def get_more(ctx, db: str, body: dict) -> dict:
    cursor_id = int(body.get("getMore") or 0)
    collection = _collection_name(body, "collection")
    cursor = ctx.cursors.get_more(cursor_id, f"{db}.{collection}", body.get("batchSize"))
    return {"cursor": cursor, "ok": 1.0}


def kill_cursors(ctx, db: str, body: dict) -> dict:
    killed, not_found = ctx.cursors.kill(body.get("cursors") or [])
    return {"cursorsKilled": killed, "cursorsNotFound": not_found, "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0}


def _is_operator_update(update) -> bool:
    return isinstance(update, dict) and bool(update) and all(key.startswith("$") for key in update)


def _update_one_statement(collection, statement: dict):
    query = statement.get("q") or {}
    update = statement.get("u")
    upsert = bool(statement.get("upsert", False))
    multi = bool(statement.get("multi", False))
    extra = {"array_filters": statement["arrayFilters"]} if statement.get("arrayFilters") else {}
    if isinstance(update, list) or _is_operator_update(update):
        method = collection.update_many if multi else collection.update_one
        return method(query, update, upsert=upsert, **extra)
    if multi:
        raise CommandError(9, "multi update is not supported for replacement-style update")
    return collection.replace_one(query, update or {}, upsert=upsert)


def update(ctx, db: str, body: dict) -> dict:
    name = _collection_name(body, "update")
    upserts = any(statement.get("upsert") for statement in body.get("updates") or [])
    collection = ctx.storage.collection(db, name, create=upserts)
    ordered = body.get("ordered", True)
    matched, modified, upserted, errors = 0, 0, [], []
    for index, statement in enumerate(body.get("updates") or []):
        try:
            result = _update_one_statement(collection, statement)
        except Exception as error:  # noqa: BLE001
            errors.append(_write_error(index, error, f"{db}.{name}", statement.get("q")))
            if ordered:
                break
            continue
        if result.upserted_id is not None:
            matched += 1
            upserted.append({"index": index, "_id": result.upserted_id})
        else:
            matched += result.matched_count
            modified += result.modified_count or 0
    reply = {"n": matched, "nModified": modified}
    if upserted:
        reply["upserted"] = upserted
    return _with_write_errors(reply, errors)


def delete(ctx, db: str, body: dict) -> dict:
    name = _collection_name(body, "delete")
    collection = ctx.storage.collection(db, name)
    ordered = body.get("ordered", True)
    deleted, errors = 0, []
    for index, statement in enumerate(body.get("deletes") or []):
        query = statement.get("q") or {}
        try:
            if int(statement.get("limit", 0)) == 1:
                deleted += collection.delete_one(query).deleted_count
            else:
                deleted += collection.delete_many(query).deleted_count
        except Exception as error:  # noqa: BLE001
            errors.append(_write_error(index, error, f"{db}.{name}"))
            if ordered:
                break
    return _with_write_errors({"n": deleted}, errors)


def count(ctx, db: str, body: dict) -> dict:
    collection = ctx.storage.collection(db, _collection_name(body, "count"))
    options = {"skip": int(body.get("skip") or 0)}
    if body.get("limit"):
        options["limit"] = abs(int(body["limit"]))
    return {"n": collection.count_documents(body.get("query") or {}, **options), "ok": 1.0}


def aggregate(ctx, db: str, body: dict) -> dict:
    name = _collection_name(body, "aggregate")
    pipeline = body.get("pipeline")
    if not isinstance(pipeline, list):
        raise CommandError(2, "'pipeline' option must be specified as an array")
    if "cursor" not in body and not body.get("explain"):
        raise CommandError(9, "The 'cursor' option is required")
    documents = list(ctx.storage.collection(db, name).aggregate(pipeline))
    batch_size = (body.get("cursor") or {}).get("batchSize")
    return {"cursor": ctx.cursors.open(f"{db}.{name}", documents, batch_size), "ok": 1.0}


def distinct(ctx, db: str, body: dict) -> dict:
    collection = ctx.storage.collection(db, _collection_name(body, "distinct"))
    key = body.get("key")
    if not isinstance(key, str):
        raise CommandError(2, "'key' must be a string")
    return {"values": collection.distinct(key, body.get("query") or {}), "ok": 1.0}


def find_and_modify(ctx, db: str, body: dict) -> dict:
    name = _collection_name(body, "findAndModify")
    collection = ctx.storage.collection(db, name, create=True)
    query = body.get("query") or {}
    sort = list(body["sort"].items()) if body.get("sort") else None
    fields = body.get("fields") or None
    if body.get("remove"):
        value = collection.find_one_and_delete(query, projection=fields, sort=sort)
        return {"lastErrorObject": {"n": int(value is not None)}, "value": value, "ok": 1.0}
    update_doc = body.get("update")
    if update_doc is None:
        raise CommandError(9, "Either an update or remove=true must be specified")
    upsert = bool(body.get("upsert", False))
    existing = collection.find_one(query, sort=sort)
    options = {"projection": fields, "sort": sort, "upsert": upsert, "return_document": bool(body.get("new"))}
    try:
        if isinstance(update_doc, list) or _is_operator_update(update_doc):
            value = collection.find_one_and_update(query, update_doc, **options)
        else:
            value = collection.find_one_and_replace(query, update_doc, **options)
    except DuplicateKeyError as error:
        if not isinstance(error, DuplicateKey):
            error = duplicate_id(f"{db}.{name}", query)
        raise CommandError(11000, error.message) from error
    last_error = {"n": int(existing is not None or upsert), "updatedExisting": existing is not None}
    if existing is None and upsert:
        inserted = collection.find_one(query, sort=sort)
        last_error["upserted"] = inserted["_id"] if inserted else None
    return {"lastErrorObject": last_error, "value": value, "ok": 1.0}
