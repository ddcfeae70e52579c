"""Authentication for `--auth`: SCRAM-SHA-256 (what libmongoc and pymongo use against MongoDB 4.0+),
the user commands (createUser, updateUser, dropUser, usersInfo) and per-connection authorization:
a user with a role on a database may use that database; `root` on admin may use everything.

The first user comes from MONGO_INITDB_ROOT_USERNAME / MONGO_INITDB_ROOT_PASSWORD, as with the
official image. Users are kept in `users.json` beside sqlite storage (so they survive a restart),
in memory otherwise. Passwords are never stored: only SCRAM's salt, stored key and server key."""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import secrets

from bson import Binary

from errors import CommandError

MECHANISM = "SCRAM-SHA-256"
ITERATIONS = 15000
OPEN_COMMANDS = {"hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo", "saslStart", "saslContinue",
                 "endSessions", "logout"}


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def credentials(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> dict:
    salt = salt or secrets.token_bytes(28)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return {
        "salt": base64.b64encode(salt).decode(),
        "iterations": iterations,
        "stored_key": base64.b64encode(hashlib.sha256(_hmac(salted, b"Client Key")).digest()).decode(),
        "server_key": base64.b64encode(_hmac(salted, b"Server Key")).decode(),
    }


def _failed() -> CommandError:
    return CommandError(18, "Authentication failed.")


class Authenticator:
    def __init__(self, users_file: pathlib.Path | None):
        self.users_file = users_file
        self.users = json.loads(users_file.read_text()) if users_file and users_file.exists() else {}
        self.conversations = {}  # connection id → SCRAM state
        self.sessions = {}  # connection id → the authenticated user's key
        root, password = os.environ.get("MONGO_INITDB_ROOT_USERNAME"), os.environ.get("MONGO_INITDB_ROOT_PASSWORD")
        if root and password:
            self._put("admin", root, password, [{"role": "root", "db": "admin"}])

    # users

    def _key(self, db: str, user: str) -> str:
        return f"{db}.{user}"

    def _put(self, db, user, password, roles):
        entry = self.users.get(self._key(db, user), {"user": user, "db": db, "roles": []})
        if password is not None:
            entry.update(credentials(password))
        if roles is not None:
            entry["roles"] = [r if isinstance(r, dict) else {"role": r, "db": db} for r in roles]
        self.users[self._key(db, user)] = entry
        if self.users_file:
            self.users_file.write_text(json.dumps(self.users))

    def create_user(self, db, body, connection_id):
        if self._key(db, body["createUser"]) in self.users:
            raise CommandError(51003, f"User \"{body['createUser']}@{db}\" already exists")
        self._put(db, body["createUser"], body["pwd"], body.get("roles", []))
        return {"ok": 1.0}

    def update_user(self, db, body, connection_id):
        if self._key(db, body["updateUser"]) not in self.users:
            raise CommandError(11, f"User {body['updateUser']}@{db} not found")
        self._put(db, body["updateUser"], body.get("pwd"), body.get("roles"))
        return {"ok": 1.0}

    def drop_user(self, db, body, connection_id):
        if self.users.pop(self._key(db, body["dropUser"]), None) is None:
            raise CommandError(11, f"User {body['dropUser']}@{db} not found")
        if self.users_file:
            self.users_file.write_text(json.dumps(self.users))
        return {"ok": 1.0}

    def users_info(self, db, body, connection_id):
        wanted = body["usersInfo"]
        if isinstance(wanted, dict):
            db, wanted = wanted.get("db", db), wanted["user"]
        found = [u for u in self.users.values() if u["db"] == db and wanted in (1, u["user"])]
        return {"users": [{"_id": self._key(u["db"], u["user"]), "user": u["user"], "db": u["db"], "roles": u["roles"],
                           "mechanisms": [MECHANISM]} for u in found], "ok": 1.0}

    # SCRAM-SHA-256 (RFC 5802 / 7677)

    def hello_fields(self, body) -> dict:
        wanted = body.get("saslSupportedMechs")  # "<db>.<user>"
        return {"saslSupportedMechs": [MECHANISM]} if isinstance(wanted, str) and wanted in self.users else {}

    def sasl_start(self, db, body, connection_id):
        if body.get("mechanism") != MECHANISM:
            raise CommandError(2, f"Received authentication for mechanism {body.get('mechanism')} which is not enabled")
        client_first = bytes(body["payload"]).decode()
        if not client_first.startswith(("n,,", "y,,")):
            raise _failed()
        bare = client_first[3:]
        fields = dict(part.split("=", 1) for part in bare.split(","))
        user = fields.get("n", "").replace("=2C", ",").replace("=3D", "=")
        entry = self.users.get(self._key(db, user))
        if entry is None or "r" not in fields:
            raise _failed()
        nonce = fields["r"] + base64.b64encode(secrets.token_bytes(24)).decode()
        server_first = f"r={nonce},s={entry['salt']},i={entry['iterations']}"
        skip_empty = bool((body.get("options") or {}).get("skipEmptyExchange"))
        self.conversations[connection_id] = {"entry": entry, "bare": bare, "server_first": server_first, "nonce": nonce,
                                             "skip_empty": skip_empty, "step": 1}
        return {"conversationId": 1, "done": False, "payload": Binary(server_first.encode()), "ok": 1.0}

    def sasl_continue(self, db, body, connection_id):
        state = self.conversations.get(connection_id)
        if state is None:
            raise CommandError(17, "No SASL session state found")
        if state["step"] == 2:  # the client's empty last message
            del self.conversations[connection_id]
            return {"conversationId": 1, "done": True, "payload": Binary(b""), "ok": 1.0}
        client_final = bytes(body["payload"]).decode()
        without_proof, _, proof = client_final.rpartition(",p=")
        fields = dict(part.split("=", 1) for part in without_proof.split(","))
        entry = state["entry"]
        if fields.get("r") != state["nonce"]:
            del self.conversations[connection_id]
            raise _failed()
        message = f"{state['bare']},{state['server_first']},{without_proof}".encode()
        stored_key = base64.b64decode(entry["stored_key"])
        signature = _hmac(stored_key, message)
        client_key = bytes(a ^ b for a, b in zip(base64.b64decode(proof), signature))
        if len(client_key) != len(signature) or not hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key):
            del self.conversations[connection_id]
            raise _failed()
        self.sessions[connection_id] = self._key(entry["db"], entry["user"])
        verifier = base64.b64encode(_hmac(base64.b64decode(entry["server_key"]), message)).decode()
        done = state["skip_empty"]
        if done:
            del self.conversations[connection_id]
        else:
            state["step"] = 2
        return {"conversationId": 1, "done": done, "payload": Binary(f"v={verifier}".encode()), "ok": 1.0}

    def logout(self, db, body, connection_id):
        self.sessions.pop(connection_id, None)
        return {"ok": 1.0}

    # authorization

    def authorize(self, connection_id: int, db: str, command: str):
        if command in OPEN_COMMANDS:
            return
        key = self.sessions.get(connection_id)
        entry = self.users.get(key) if key else None
        if entry is None:
            raise CommandError(13, f"command {command} requires authentication")
        if any(r["role"] == "root" for r in entry["roles"]):
            return
        if command == "listDatabases" or any(r["db"] == db for r in entry["roles"]):
            return
        raise CommandError(13, f"not authorized on {db} to execute command {{ {command}: ... }}")

    def forget(self, connection_id: int):
        self.conversations.pop(connection_id, None)
        self.sessions.pop(connection_id, None)
