"""Documents on litemongo (mongomock semantics), in memory or in SQLite files.

Unique indexes are checked here rather than by mongomock so that a duplicate reports the
index, key pattern and key value like mongod does (`E11000 duplicate key error ...`).
"""

import json
import pathlib

import bson
import litemongo
from litemongo import sqlite_store
from litemongo._vendor.mongomock import DuplicateKeyError, filtering, helpers
from litemongo._vendor.mongomock import store as memory_store


class DuplicateKey(DuplicateKeyError):
    """A unique index refused a document; carries what mongod puts in a write error."""

    def __init__(self, namespace: str, index_name: str, key_pattern: dict, key_value: dict):
        self.key_pattern = key_pattern
        self.key_value = key_value
        message = (
            f"E11000 duplicate key error collection: {namespace} index: {index_name} "
            f"dup key: {render_key(key_value)}"
        )
        super().__init__(message, 11000)
        self.message = message


def render_key(key_value: dict) -> str:
    """`{ email: "a@b" }`, the way mongod prints a duplicate key."""
    if not key_value:
        return "{}"
    return "{ " + ", ".join(f"{k}: {_render(v)}" for k, v in key_value.items()) + " }"


def _render(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bson.ObjectId):
        return f"ObjectId('{value}')"
    if isinstance(value, dict):
        return render_key(value)
    return str(value)


def duplicate_id(namespace: str, document: dict) -> DuplicateKey:
    value = document.get("_id")
    return DuplicateKey(namespace, "_id_", {"_id": 1}, {"_id": value})


class Storage:
    """One server's databases. Not thread-safe: the asyncio loop is its only user."""

    def __init__(self, kind: str, path: str = ""):
        if kind == "memory":
            self._store = memory_store.ServerStore()
        elif kind == "sqlite":
            self._store = sqlite_store.ServerStore(pathlib.Path(path))
        else:
            raise ValueError(f"unknown storage {kind!r}")
        self.kind = kind
        self._client = litemongo.MongoClient(self._store)
        self._collections = {}
        self._created = set()

    def collection(self, database: str, name: str, create: bool = False):
        """The collection; with `create`, it exists from now on even while empty (like mongod's)."""
        key = (database, name)
        collection = self._collections.get(key)
        if collection is None:
            collection = self._client[database][name]
            _install_unique_check(collection, f"{database}.{name}")
            self._collections[key] = collection
        if create and key not in self._created:
            if not self.exists(database, name):
                self._store[database].create_collection(name)
            self._created.add(key)
        return collection

    def drop_collection(self, database: str, name: str):
        self._client[database].drop_collection(name)
        self._created.discard((database, name))

    def exists(self, database: str, name: str) -> bool:
        return name in self._store[database]

    def collection_names(self, database: str) -> list:
        return list(self._store[database].list_created_collection_names())

    def database_names(self) -> list:
        return list(self._store.list_created_database_names())

    def close(self):
        if hasattr(self._store, "close"):
            self._store.close()


def _install_unique_check(collection, namespace: str):
    """Replace mongomock's unique check (run after a write, which it rolls back on failure)."""

    def ensure_uniques(document):
        for name, index in list(collection._store.indexes.items()):
            if index.get("unique"):
                _check_unique(collection, namespace, name, index, document)

    collection._ensure_uniques = ensure_uniques


def _check_unique(collection, namespace, name, index, document):
    key_pattern = {field: direction for field, direction in index["key"]}
    key_value = {}
    for field in key_pattern:
        try:
            key_value[field] = helpers.get_value_by_dot(document, field)
        except KeyError:
            key_value[field] = None
    if index.get("sparse") and all(v is None for v in key_value.values()):
        return
    partial = index.get("partialFilterExpression")
    query = dict(key_value)
    if partial is not None:
        if not filtering.filter_applies(partial, document):
            return
        query = {"$and": [partial, query]}
    # The document is already stored, so a second match is a duplicate.
    if collection.count_documents(query, limit=2) > 1:
        raise DuplicateKey(namespace, name, key_pattern, key_value)
