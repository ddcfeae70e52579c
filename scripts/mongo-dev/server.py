#!/usr/bin/env python3
"""A MongoDB-wire-compatible development server (no mongod needed).

Speaks enough of the protocol for libmongoc 1.23 and pymongo: the handshake and heartbeats
as legacy OP_QUERY on `admin.$cmd` (answered with OP_REPLY), everything else as OP_MSG. It
reports a standalone server (no replica set, no compression) with wire version 17 (6.0).
Documents live in litemongo (mongomock's query and update engine) either in memory or in
SQLite files, so data survives a restart with `--storage sqlite`.

Commands: hello/isMaster, ping, buildInfo, serverStatus, endSessions, insert, find, getMore,
killCursors, update, delete, count, aggregate, distinct, findAndModify, createIndexes
(unique indexes enforced, duplicates answer 11000), listIndexes, dropIndexes, create, drop,
listCollections, listDatabases, dropDatabase. Anything else answers 59 CommandNotFound.
With --auth: SCRAM-SHA-256 and createUser/updateUser/dropUser/usersInfo (auth.py).
Not supported: TLS, transactions, change streams, $text, arrayFilters.

    python server.py --storage sqlite --path .local/mongo --port 27017
"""

import argparse
import asyncio
import logging
import pathlib
import signal
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import wire  # noqa: E402
from auth import Authenticator  # noqa: E402
from commands import Context, Dispatcher  # noqa: E402
from cursors import CursorRegistry  # noqa: E402
from storage import Storage  # noqa: E402

log = logging.getLogger("mongo-dev")


class Server:
    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher = dispatcher
        self.ctx = dispatcher.ctx
        self._writers = set()
        self._next_connection_id = 1

    async def serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        connection_id = self._next_connection_id
        self._next_connection_id += 1
        self.ctx.connections_current += 1
        self.ctx.connections_total += 1
        self._writers.add(writer)
        log.debug("connection %d from %s", connection_id, writer.get_extra_info("peername"))
        try:
            while True:
                header = await reader.readexactly(wire.HEADER.size)
                length, request_id, _, op_code = wire.HEADER.unpack(header)
                if length < wire.HEADER.size or length > wire.MAX_MESSAGE_SIZE:
                    raise wire.ProtocolError(f"bad message length {length}")
                payload = await reader.readexactly(length - wire.HEADER.size)
                reply = self.dispatcher.handle(request_id, op_code, payload, connection_id)
                if reply is not None:
                    writer.write(reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except wire.ProtocolError as error:
            log.warning("connection %d: %s; closing it", connection_id, error)
        finally:
            self.ctx.connections_current -= 1
            self._writers.discard(writer)
            self.dispatcher.forget(connection_id)
            writer.close()
            log.debug("connection %d closed", connection_id)

    def close_connections(self):
        for writer in list(self._writers):
            writer.close()


async def _reap_cursors(cursors: CursorRegistry):
    while True:
        await asyncio.sleep(60)
        reaped = cursors.reap_idle()
        if reaped:
            log.info("closed %d idle cursors", reaped)


async def serve(args) -> None:
    storage = Storage(args.storage, args.path)
    cursors = CursorRegistry()
    auth = None
    if args.auth:
        users_file = pathlib.Path(args.path) / "users.json" if args.storage == "sqlite" else None
        auth = Authenticator(users_file)
    server = Server(Dispatcher(Context(storage, cursors, auth)))
    listener = await asyncio.start_server(server.serve_connection, args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # A parent may have spawned us with these blocked (Foundation's Process does): unblock them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    reaper = asyncio.create_task(_reap_cursors(cursors))
    address = listener.sockets[0].getsockname()
    where = f" path={pathlib.Path(args.path).resolve()}" if args.storage == "sqlite" else ""
    log.info("mongo-dev listening on %s:%d (storage=%s%s)", address[0], address[1], args.storage, where)
    try:
        await stop.wait()
    finally:
        log.info("mongo-dev stopping")
        reaper.cancel()
        listener.close()
        server.close_connections()
        await listener.wait_closed()
        storage.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="MongoDB-wire-compatible development server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=27017, help="0 picks a free port (printed in the log)")
    parser.add_argument("--storage", choices=["memory", "sqlite"], default="memory")
    parser.add_argument(
        "--path",
        default="mongo-data",
        help="sqlite storage: a directory (created if missing) holding one SQLite file per collection",
    )
    parser.add_argument(
        "--auth",
        action="store_true",
        help="require SCRAM-SHA-256 authentication (first user from MONGO_INITDB_ROOT_USERNAME/_PASSWORD)",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        asyncio.run(serve(args))
    except OSError as error:
        log.error("cannot start: %s", error)
        sys.exit(1)


if __name__ == "__main__":
    main()
