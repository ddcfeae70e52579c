"""Helpers of the security tests (test_security.py): raw HTTP over a socket (for what `requests`
cannot send: a declared length with no body, a request head trickling in, idle connections), the
hostile values the injection tests put in every string field, the string fields of a documented
request body, and ES256 signing with a key of the test's own (forged tokens that are correctly
signed, just not by the platform).
"""

from __future__ import annotations

import json
import resource
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import contract
import identity
import stack

GATEWAY_ADDRESS = (stack.HOST, stack.HTTP_PORT["gateway"])


# --- raw HTTP --------------------------------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]          # names lower-cased
    body: bytes
    seconds: float                   # from the first byte sent to the whole response read
    raw: bytes = field(repr=False, default=b"")

    def json(self) -> Any:
        return json.loads(self.body)


def connect(timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(GATEWAY_ADDRESS, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock: socket.socket, started: float, timeout: float) -> RawResponse:
    """Reads one response (its head, then `Content-Length` bytes of body) within `timeout` seconds."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection without a whole response: {data[:300]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return RawResponse(status, headers, body[:length], time.monotonic() - started, data)


def send_raw(data: bytes, timeout: float = 5.0) -> RawResponse:
    """Sends `data` as is on a fresh connection and reads the first response."""
    with connect(timeout) as sock:
        started = time.monotonic()
        sock.sendall(data)
        return read_response(sock, started, timeout)


def raise_open_files_limit(wanted: int) -> int:
    """Raises this process's RLIMIT_NOFILE soft limit towards `wanted` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- hostile values ----------------------------------------------------------------------------

# name → value; each goes, alone, into one string field.
HOSTILE = {
    "sql-or": "' OR '1'='1",
    "sql-drop": "\"; DROP TABLE users; --",
    "backslash": "\\",
    "nul": "e2e\u0000nul",
    "100k": "x" * 100_000,
}
# Bytes that are not UTF-8, put inside a JSON string of a raw body.
NOT_UTF8 = b"e2e\xff\xfe"
PLACEHOLDER = "e2e-not-utf8-placeholder"


def string_fields(schema: Any, prefix: tuple = ()) -> list[tuple]:
    """The paths of every string field of a (resolved) request schema: object keys and, for
    arrays, index 0 (e.g. ("items", 0, "product_id"))."""
    merged = {key: value for branch in contract._branches(schema) for key, value in branch.items()}
    kind = merged.get("type", "object" if "properties" in merged else None)
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "string" in kinds:
        return [prefix]
    if "array" in kinds and isinstance(merged.get("items"), dict):
        return string_fields(merged["items"], prefix + (0,))
    out: list[tuple] = []
    if "object" in kinds:
        for name, sub in merged.get("properties", {}).items():
            out += string_fields(sub, prefix + (name,))
    return out


def body_string_fields(op: contract.Operation) -> list[tuple]:
    body, _ = contract.resolve(op.spec["requestBody"], op.pointer + "/requestBody")
    return string_fields(body["content"]["application/json"]["schema"])


def query_string_parameters(op: contract.Operation) -> list[str]:
    return [p["name"] for p in op.parameters()
            if p["in"] == "query" and op.parameter_schema(p).get("type") == "string"]


def with_value(body: Any, path: tuple, value: Any) -> Any:
    """A deep copy of `body` with `value` at `path` (made where missing)."""
    body = json.loads(json.dumps(body))
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


def value_at(body: Any, path: tuple) -> Any:
    for key in path:
        body = body[key]
    return body


def dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)


# --- ES256 with a key of our own ---------------------------------------------------------------

def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: ec.EllipticCurvePrivateKey, kid: str) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
            "x": identity.b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": identity.b64url_encode(numbers.y.to_bytes(32, "big"))}


def es256_token(header: dict, payload: dict, key: ec.EllipticCurvePrivateKey) -> str:
    """A correctly signed ES256 token (JWS: r || s, 64 bytes) under `key`."""
    signing_input = f"{identity.encode_segment(header)}.{identity.encode_segment(payload)}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{identity.b64url_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
