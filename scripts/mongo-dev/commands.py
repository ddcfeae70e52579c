"""Command dispatch: one request in, one reply out, plus the handshake and admin commands."""

import datetime
import itertools
import logging
import os
import time

from litemongo._vendor.mongomock import OperationFailure
from pymongo.errors import PyMongoError

import catalog
import crud
import wire
from errors import CommandError

log = logging.getLogger("mongo-dev")

VERSION = "6.0.0-dev"
MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
MAX_WRITE_BATCH_SIZE = 100_000
MAX_WIRE_VERSION = 17  # MongoDB 6.0


class Context:
    """What every command may touch: the documents, the open cursors, server statistics."""

    def __init__(self, storage, cursors, auth=None):
        self.storage = storage
        self.cursors = cursors
        self.auth = auth  # an auth.Authenticator when the server runs with --auth
        self.started = time.monotonic()
        self.connections_current = 0
        self.connections_total = 0


def _hello(ctx, db, body, connection_id=0):
    reply = {
        "helloOk": True,
        "isWritablePrimary": True,
        "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
        "maxMessageSizeBytes": wire.MAX_MESSAGE_SIZE,
        "maxWriteBatchSize": MAX_WRITE_BATCH_SIZE,
        "localTime": datetime.datetime.now(datetime.timezone.utc),
        "logicalSessionTimeoutMinutes": 30,
        "connectionId": connection_id,
        "minWireVersion": 0,
        "maxWireVersion": MAX_WIRE_VERSION,
        "readOnly": False,
        "ok": 1.0,
    }
    if next(iter(body)) != "hello":  # isMaster / ismaster answer with the legacy field name
        reply["ismaster"] = reply.pop("isWritablePrimary")
    if ctx.auth:
        reply.update(ctx.auth.hello_fields(body))
    return reply


def _build_info(ctx, db, body):
    return {
        "version": VERSION,
        "versionArray": [6, 0, 0, 0],
        "gitVersion": "mongo-dev",
        "bits": 64,
        "debug": False,
        "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
        "storageEngines": [ctx.storage.kind],
        "ok": 1.0,
    }


def _server_status(ctx, db, body):
    return {
        "host": os.uname().nodename,
        "version": VERSION,
        "process": "mongo-dev",
        "pid": os.getpid(),
        "uptime": time.monotonic() - ctx.started,
        "localTime": datetime.datetime.now(datetime.timezone.utc),
        "connections": {
            "current": ctx.connections_current,
            "available": 1000,
            "totalCreated": ctx.connections_total,
        },
        "metrics": {"cursor": {"open": {"total": len(ctx.cursors)}}},
        "ok": 1.0,
    }


def _ok(ctx, db, body):
    return {"ok": 1.0}


COMMANDS = {
    "hello": _hello,
    "isMaster": _hello,
    "ismaster": _hello,
    "ping": _ok,
    "buildInfo": _build_info,
    "buildinfo": _build_info,
    "serverStatus": _server_status,
    "endSessions": _ok,
    "insert": crud.insert,
    "find": crud.find,
    "getMore": crud.get_more,
    "killCursors": crud.kill_cursors,
    "update": crud.update,
    "delete": crud.delete,
    "count": crud.count,
    "aggregate": crud.aggregate,
    "distinct": crud.distinct,
    "findAndModify": crud.find_and_modify,
    "findandmodify": crud.find_and_modify,
    "createIndexes": catalog.create_indexes,
    "listIndexes": catalog.list_indexes,
    "dropIndexes": catalog.drop_indexes,
    "deleteIndexes": catalog.drop_indexes,
    "drop": catalog.drop,
    "create": catalog.create,
    "listCollections": catalog.list_collections,
    "listDatabases": catalog.list_databases,
    "dropDatabase": catalog.drop_database,
}


# With --auth: name → Authenticator method (db, body, connection id).
AUTH_COMMANDS = {
    "saslStart": "sasl_start",
    "saslContinue": "sasl_continue",
    "logout": "logout",
    "createUser": "create_user",
    "updateUser": "update_user",
    "dropUser": "drop_user",
    "usersInfo": "users_info",
}


class Dispatcher:
    """Turns one wire message into the bytes of its reply (or None when none is due)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._request_ids = itertools.count(1)

    def forget(self, connection_id: int):
        if self.ctx.auth:
            self.ctx.auth.forget(connection_id)

    def handle(self, request_id: int, op_code: int, payload: bytes, connection_id: int):
        request = wire.parse_request(request_id, op_code, payload)
        if request.legacy_namespace:
            reply = {"$err": f"legacy OP_QUERY on {request.legacy_namespace} is not supported", "code": 238, "ok": 0.0}
            return wire.encode_reply(next(self._request_ids), request_id, reply, wire.REPLY_QUERY_FAILURE)
        reply = self.run(request.database, request.command, connection_id)
        if request.more_to_come:
            return None
        if request.op_code == wire.OP_QUERY:
            return wire.encode_reply(next(self._request_ids), request_id, reply)
        return wire.encode_msg(next(self._request_ids), request_id, reply)

    def run(self, db: str, body: dict, connection_id: int = 0) -> dict:
        name = next(iter(body), "")
        handler = COMMANDS.get(name)
        log.debug("command %s on %s: %r", name, db, body)
        try:
            if self.ctx.auth:
                self.ctx.auth.authorize(connection_id, db, name)
                if name in AUTH_COMMANDS:
                    return getattr(self.ctx.auth, AUTH_COMMANDS[name])(db, body, connection_id)
            if handler is None:
                raise CommandError(59, f"no such command: '{name}'")
            if handler is _hello:
                return _hello(self.ctx, db, body, connection_id)
            return handler(self.ctx, db, body)
        except CommandError as error:
            log.debug("command %s failed: %s", name, error.message)
            return error.to_reply()
        except OperationFailure as error:
            return CommandError(error.code or 2, str(error)).to_reply()
        except NotImplementedError as error:
            return CommandError(238, f"not supported by this development server: {error}").to_reply()
        except (ValueError, TypeError, KeyError, IndexError, PyMongoError) as error:
            return CommandError(2, f"{type(error).__name__}: {error}").to_reply()
        except Exception as error:  # noqa: BLE001 - a bug must not take the server down
            log.exception("command %s failed", name)
            return CommandError(1, f"internal error: {error}").to_reply()
