"""Helpers shared by the identity tests (Services/Gateway/API/openapi.yaml) and `scripts/bench`.

- REST calls through the gateway (`call`, `register`, `login`, …). Every response is checked on
  arrival: no body may contain a password this process sent, `password_hash`/`passwordHash`
  or a bcrypt hash prefix, every gateway response carries `X-Request-ID`, and every gateway
  response must match the OpenAPI document (`contract.check`: a documented status, a body
  valid against the documented schema with no undeclared field, documented headers).
- Login throttling (idm: 5 failures per account, 20 per client address, 15 min) must not leak
  from one test into another, so every login goes out with a fresh fake client address in
  `X-Forwarded-For` (the test stack trusts loopback as a proxy: GATEWAY_TRUSTED_PROXIES), and
  helpers never poll a login that may fail: after a registration they wait for the credentials
  to reach auth (auth's gRPC `GetAccount` / `VerifyCredentials`, which are not throttled).
- Token forging for the refusal tests (alg none, HS256 keyed with the public key, tampering).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import grpc
import requests

import contract
import protogen
import service_identity
import stack

protogen.ensure_stubs()

from protos.auth.v1 import auth_pb2, auth_pb2_grpc  # noqa: E402
from protos.idm.v1 import idm_pb2_grpc  # noqa: E402

GATEWAY = stack.http_url("gateway", "")
TIMEOUT = 10.0        # seconds, every HTTP call
RPC_TIMEOUT = 10.0    # seconds, every gRPC call
CREDENTIALS_WITHIN = 15.0  # seconds for a registration to reach auth in the ordinary tests

# What no response body may contain (besides the passwords we sent).
FORBIDDEN_IN_BODIES = ("password_hash", "passwordHash", "$2a$", "$2b$", "$2y$")

# Response shapes are the OpenAPI document's (contract.py), not restated here. Lower-case
# hex is a promise of the platform's ids beyond the document's `format: uuid`.
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_RE = contract.RFC3339_RE


# --- secrets the responses must never echo -------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def remember_secret(password: str) -> str:
    """Adds a password to the set no response may contain (too-short ones would match by chance)."""
    if len(password) >= 8:
        with _secrets_lock:
            _secrets.add(password)
    return password


def new_password(tag: str = "pw") -> str:
    """A fresh password (8..72 bytes) that is remembered as a secret."""
    return remember_secret(f"{tag}-{uuid.uuid4().hex[:20]}!Aa")


def check_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """requests response hook: fails the call when the body leaks a secret, or when a gateway
    response lacks X-Request-ID or breaks the OpenAPI document (`contract.check`)."""
    text = response.content.decode("utf-8", "replace")
    where = f"{response.request.method} {response.url} ({response.status_code})"
    for marker in FORBIDDEN_IN_BODIES:
        assert marker not in text, f"{where}: the body contains {marker!r}: {text[:500]}"
    with _secrets_lock:
        secrets = list(_secrets)
    for secret in secrets:
        assert secret not in text, f"{where}: the body contains a password that was sent"
    if response.url.startswith(GATEWAY + "/"):
        assert response.headers.get("X-Request-ID"), f"{where}: no X-Request-ID header"
        contract.check(response)


# --- client addresses ------------------------------------------------------------------------

_addresses: set[str] = set()
_addresses_lock = threading.Lock()


def fake_address() -> str:
    """A client address (10.0.0.0/8) no other call of this process used."""
    with _addresses_lock:
        while True:
            address = "10.{}.{}.{}".format(random.randrange(256), random.randrange(256), random.randrange(1, 255))
            if address not in _addresses:
                _addresses.add(address)
                return address


def unique_email(tag: str = "user") -> str:
    return f"e2e-{tag}-{uuid.uuid4().hex[:16]}@example.com"


# --- REST ------------------------------------------------------------------------------------

def url(path: str) -> str:
    return GATEWAY + path


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def call(
    method: str, path: str, *, token: str | None = None, address: str | None = None,
    user_agent: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any,
) -> requests.Response:
    """One request to the gateway, checked by `check_response`."""
    merged: dict[str, str] = {}
    if token is not None:
        merged.update(bearer(token))
    if address is not None:
        merged["X-Forwarded-For"] = address
    if user_agent is not None:
        merged["User-Agent"] = user_agent
    merged.update(headers or {})
    kwargs.setdefault("timeout", TIMEOUT)
    kwargs.setdefault("allow_redirects", False)
    return requests.request(method, url(path), headers=merged, hooks={"response": check_response}, **kwargs)


def get(path: str, **kwargs: Any) -> requests.Response:
    return call("GET", path, **kwargs)


def post(path: str, **kwargs: Any) -> requests.Response:
    return call("POST", path, **kwargs)


def patch(path: str, **kwargs: Any) -> requests.Response:
    return call("PATCH", path, **kwargs)


def put(path: str, **kwargs: Any) -> requests.Response:
    return call("PUT", path, **kwargs)


def delete(path: str, **kwargs: Any) -> requests.Response:
    return call("DELETE", path, **kwargs)


def error_of(response: requests.Response, status: int, code: str | None = None) -> dict:
    """Asserts the platform's error body (the document's `Error`) with `status` (and `code`);
    returns `body["error"]`."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:500]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    contract.assert_valid(body, "Error")
    error = body["error"]
    assert error["message"], body
    if code is not None:
        assert error["code"] == code, body
    if status == 401:
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), response.headers
    return error


def details_of(response: requests.Response) -> dict[str, str]:
    """The per-field details of a 422."""
    error = error_of(response, 422, "invalid_argument")
    details = error.get("details")
    assert isinstance(details, dict) and details, f"a 422 without per-field details: {response.text}"
    return details


def assert_user(body: dict, *, email: str | None = None, name: str | None = None, roles: list[str] | None = None,
                schema: str = "User") -> None:
    """The document's `User` (or `schema`, e.g. `OwnProfile`), with a lower-case id and email (and the given values)."""
    contract.assert_valid(body, schema)
    assert UUID_RE.match(body["id"]), body
    assert body["email"] == body["email"].lower(), body
    if email is not None:
        assert body["email"] == email.lower(), body
    if name is not None:
        assert body["name"] == name, body
    if roles is not None:
        assert sorted(body["roles"]) == sorted(roles), body


def assert_token_pair(body: dict) -> None:
    """The document's `TokenPair` (which pins `token_type: Bearer`), with lifetimes > 0 and
    distinct tokens, the access token a compact JWS."""
    contract.assert_valid(body, "TokenPair")
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0, body
    assert isinstance(body["refresh_expires_in"], int) and body["refresh_expires_in"] > 0, body
    assert body["access_token"].count(".") == 2, body
    assert body["refresh_token"] and body["refresh_token"] != body["access_token"], body


@dataclass
class Account:
    email: str
    password: str
    name: str
    id: str = ""
    roles: tuple[str, ...] = ()
    access_token: str = ""
    refresh_token: str = ""

    @property
    def session_id(self) -> str:
        return jwt_segments(self.access_token)[1]["sid"]


def register(email: str, password: str, name: str | None, **kwargs: Any) -> requests.Response:
    body: dict[str, Any] = {"email": email, "password": password}
    if name is not None:
        body["name"] = name
    remember_secret(password)
    return post("/api/auth/register", json=body, **kwargs)


def register_account(name: str | None = None, *, tag: str = "user", wait: bool = True) -> Account:
    """Registers a fresh user (201) and, with `wait`, waits until auth knows the credentials."""
    account = Account(email=unique_email(tag), password=new_password(), name=name or f"E2E {tag}")
    response = register(account.email, account.password, account.name)
    assert response.status_code == 201, f"registration failed: {response.status_code} {response.text}"
    body = response.json()
    account.id, account.roles = body["id"], tuple(body["roles"])
    if wait:
        wait_for_account(account.id)
    return account


def login(
    email: str, password: str, *, address: str | None = None, user_agent: str | None = None
) -> requests.Response:
    """POST /api/auth/login from a fresh fake client address (unless one is given)."""
    remember_secret(password)
    return post("/api/auth/login", json={"email": email, "password": password},
                address=address or fake_address(), user_agent=user_agent)


def login_tokens(account: Account, **kwargs: Any) -> dict:
    """Logs `account` in (must succeed) and stores the pair on it; returns the pair."""
    response = login(account.email, account.password, **kwargs)
    assert response.status_code == 200, f"login of {account.email} failed: {response.status_code} {response.text}"
    pair = response.json()
    account.access_token, account.refresh_token = pair["access_token"], pair["refresh_token"]
    return pair


def new_account(name: str | None = None, *, tag: str = "user", **login_kwargs: Any) -> Account:
    """A registered, logged-in user."""
    account = register_account(name, tag=tag)
    login_tokens(account, **login_kwargs)
    return account


def admin_credentials() -> tuple[str, str]:
    """The configured first admin: ADMIN_EMAIL / ADMIN_PASSWORD, else .local/secrets.env."""
    email = os.environ.get("ADMIN_EMAIL") or "admin@platform.local"
    password = os.environ.get("ADMIN_PASSWORD", "")
    if not password:
        local = Path(os.environ.get("PLATFORM_LOCAL_DIR") or stack.ROOT / ".local")
        secrets = local / "secrets.env"
        if secrets.is_file():
            for line in secrets.read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "PLATFORM_ADMIN_PASSWORD":
                    password = value.strip()
    assert password, "no admin password: set ADMIN_PASSWORD (source scripts/lib/env.sh) or provision the stack"
    return email, remember_secret(password)


def admin_account() -> Account:
    email, password = admin_credentials()
    account = Account(email=email, password=password, name="admin")
    login_tokens(account)
    return account


def refused_within(path: str, token: str, seconds: float = 1.0, method: str = "GET") -> None:
    """Polls until the gateway answers 401 to `token` (fails after `seconds`)."""
    # A 4xx requests.Response is falsy, so the probe wraps it in a (truthy) tuple.
    def probe() -> tuple[requests.Response] | None:
        response = call(method, path, token=token)
        return (response,) if response.status_code == 401 else None

    (refused,) = stack.wait_until(probe, timeout=seconds, interval=0.05,
                                  what=f"{method} {path} to refuse the token with 401")
    error_of(refused, 401, "unauthenticated")


# --- gRPC ------------------------------------------------------------------------------------

_channels: dict[str, grpc.Channel] = {}
_channels_lock = threading.Lock()


def channel(service: str) -> grpc.Channel:
    with _channels_lock:
        if service not in _channels:
            _channels[service] = service_identity.channel_as("gateway", service)
        return _channels[service]


def idm_stub() -> idm_pb2_grpc.IDMServiceStub:
    return idm_pb2_grpc.IDMServiceStub(channel("idm"))


def auth_stub() -> auth_pb2_grpc.AuthServiceStub:
    return auth_pb2_grpc.AuthServiceStub(channel("auth"))


def _poll_rpc(rpc: Callable[[], Any], *, timeout: float, interval: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            return rpc()
        except grpc.RpcError as error:
            last = f"{error.code()}: {error.details()}"
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}; last: {last}")
        time.sleep(interval)


def wait_for_account(user_id: str, timeout: float = CREDENTIALS_WITHIN, interval: float = 0.02) -> Any:
    """Waits until auth has the user's credentials (auth.GetAccount; cheap, not throttled)."""
    stub = auth_stub()
    request = auth_pb2.GetAccountRequest(user_id=user_id)
    return _poll_rpc(lambda: stub.GetAccount(request, timeout=RPC_TIMEOUT, wait_for_ready=True),
                     timeout=timeout, interval=interval, what=f"auth to know user {user_id}")


def wait_for_credentials(email: str, password: str, timeout: float = CREDENTIALS_WITHIN, interval: float = 0.05) -> Any:
    """Waits until auth verifies email/password (auth.VerifyCredentials; not throttled)."""
    stub = auth_stub()
    request = auth_pb2.VerifyCredentialsRequest(email=email, password=password)
    return _poll_rpc(lambda: stub.VerifyCredentials(request, timeout=RPC_TIMEOUT, wait_for_ready=True),
                     timeout=timeout, interval=interval, what=f"auth to verify {email}")


# --- JWTs ------------------------------------------------------------------------------------

def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_segment(value: dict) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def jwt_segments(token: str) -> tuple[dict, dict, str]:
    """(header, payload, signature as sent) of a compact JWS."""
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature


def forge(header: dict, payload: dict, signature: str = "") -> str:
    """A token with the given header and payload and whatever signature segment is given."""
    return f"{encode_segment(header)}.{encode_segment(payload)}.{signature}"


def hs256_token(header: dict, payload: dict, secret: bytes) -> str:
    """An HS256 token keyed with `secret` (the classic algorithm-confusion attack)."""
    signing_input = f"{encode_segment(header)}.{encode_segment(payload)}".encode()
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{b64url_encode(signature)}"


# DER prefix of a SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 with a 65-byte point.
_P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def p256_public_der(jwk: dict) -> bytes:
    return _P256_SPKI_PREFIX + b"\x04" + b64url_decode(jwk["x"]) + b64url_decode(jwk["y"])


def p256_public_pem(jwk: dict) -> str:
    encoded = base64.b64encode(p256_public_der(jwk)).decode()
    lines = [encoded[i:i + 64] for i in range(0, len(encoded), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def public_key_secrets(jwk: dict, jwks_text: str) -> dict[str, bytes]:
    """Every spelling of the public key an HS256-confused verifier might use as its secret."""
    pem = p256_public_pem(jwk)
    x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
    return {
        "pem": pem.encode(),
        "pem-no-newline": pem.rstrip("\n").encode(),
        "der": p256_public_der(jwk),
        "point": b"\x04" + x + y,
        "x+y": x + y,
        "x-text": jwk["x"].encode(),
        "x+y-text": (jwk["x"] + jwk["y"]).encode(),
        "jwk-json": json.dumps(jwk, separators=(",", ":")).encode(),
        "jwks-json": jwks_text.encode(),
    }
