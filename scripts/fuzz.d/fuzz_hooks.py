"""Schemathesis hooks of `scripts/fuzz` (loaded by `st run` through SCHEMATHESIS_HOOKS=fuzz_hooks).

One `st run` process fuzzes the gateway as one account (FUZZ_ROLE, FUZZ_EMAIL, FUZZ_PASSWORD):

- Authentication: an `@schemathesis.auth` provider logs the account in (POST /api/auth/login)
  and sends `Authorization: Bearer <access token>` on every request. The token is fetched again
  every FUZZ_TOKEN_REFRESH seconds (access tokens live 15 minutes), and schemathesis' reactive
  re-authentication logs in again and replays the request when a response is 401 — so a fuzzed
  logout, a revoked session or an expired token costs one login, and no operation is excluded.
- Counting: every request schemathesis sends (all phases, the checks' own extra requests
  included) is counted in `after_call`, per operation and status; the counts, the logins and the
  rewrites below are written to FUZZ_STATE_FILE as JSON when the process ends.
- Client address: every request carries a fresh `X-Forwarded-For` address from 100.64.0.0/10
  (the gateway trusts it from loopback, GATEWAY_TRUSTED_PROXIES), so the fuzzed login attempts
  fill no shared per-address login throttle (e.g. 127.0.0.1's, which other suites use).
- Blast radius on a shared stack (inputs rewritten before sending; each rewrite is counted and
  reported, no operation and no check is left out):
  * a login (`login`, `browserLogin`) whose `email` is one the harness saw in a response or
    logs in with goes out with a fresh unknown address instead: five wrong passwords lock an
    account's logins for 15 minutes (idm's throttle), which would lock the platform admin out
    of every suite. A wrong password and an unknown email get the same 401 by design.
  * a terminal login whose `location_id` is a café seen in a response and not created by this
    run goes out with a random id instead (the café's terminal logins would be locked the same
    way; a wrong code and an unknown café get the same 401 by design).
  * a POST, PUT, PATCH or DELETE whose first path parameter (the resource it changes) is an
    identifier seen in a response (`id`, `code`, `*_id`) and not created by this run
    (FUZZ_OWNED_FILE carries the admin run's creations to the customer run) goes out with a
    random UUID there instead (404): no fuzzed request deactivates, renames, revokes, refunds,
    cancels or restocks what another suite, the platform admin or another of the admin's
    sessions owns. What the run itself created (and its own sessions) is changed and deleted
    freely; identifiers in request bodies are left as generated.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from typing import Any

import requests
import schemathesis

GATEWAY = os.environ.get("FUZZ_GATEWAY", "http://127.0.0.1:5000").rstrip("/")
ROLE = os.environ.get("FUZZ_ROLE", "?")
EMAIL = os.environ.get("FUZZ_EMAIL", "")
PASSWORD = os.environ.get("FUZZ_PASSWORD", "")
STATE_FILE = os.environ.get("FUZZ_STATE_FILE", "")
OWNED_FILE = os.environ.get("FUZZ_OWNED_FILE", "")
TOKEN_REFRESH = int(os.environ.get("FUZZ_TOKEN_REFRESH", "600"))
# How long a login may keep failing with 429, 502-504 or a refused connection (a restarting service).
LOGIN_PATIENCE = float(os.environ.get("FUZZ_LOGIN_PATIENCE", "90"))

LOGIN_OPERATIONS = {"POST /api/auth/login", "POST /api/auth/browser/login"}
TERMINAL_LOGIN_OPERATIONS = {"POST /api/auth/terminal-login", "POST /api/auth/browser/terminal-login"}
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
PATH_PARAMETER_RE = re.compile(r"{([^}]+)}")

_lock = threading.Lock()
_requests: Counter[str] = Counter()              # operation label -> requests
_phases: Counter[str] = Counter()                # schemathesis phase -> requests
_statuses: defaultdict[str, Counter[str]] = defaultdict(Counter)  # operation label -> status -> n
_network_errors: defaultdict[str, list[str]] = defaultdict(list)   # label -> URLs (first 3)
_rewrites: Counter[str] = Counter()
_logins: list[dict[str, Any]] = []
_seen: set[str] = set()          # every identifier seen in a response body
_seen_emails: set[str] = {EMAIL.strip().lower()} if EMAIL else set()
_owned: set[str] = set()         # ids (and codes) of what this run (or the admin run before) created
_started = time.time()

if OWNED_FILE and os.path.exists(OWNED_FILE):
    with open(OWNED_FILE) as handle:
        _owned.update(json.load(handle))
for extra in json.loads(os.environ.get("FUZZ_PROTECTED_EMAILS", "[]")):
    _seen_emails.add(extra.strip().lower())


# Hypothesis seeds the `random` module for every example it generates, so its numbers repeat from
# one test case to the next: the addresses come from the operating system's generator instead.
_system_random = random.SystemRandom()


def _fake_address() -> str:
    """A client address in 100.64.0.0/10 (shared address space; the e2e suite uses 10.0.0.0/8)."""
    pick = _system_random.randrange
    return "100.{}.{}.{}".format(pick(64, 128), pick(256), pick(1, 255))


def _token_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def login() -> str:
    """Logs the account in (retrying while the platform answers 503 or refuses connections)."""
    deadline = time.monotonic() + LOGIN_PATIENCE
    while True:
        started = time.time()
        outcome: str
        try:
            response = requests.post(
                f"{GATEWAY}/api/auth/login", json={"email": EMAIL, "password": PASSWORD},
                headers={"X-Forwarded-For": _fake_address()}, timeout=15)
            outcome = str(response.status_code)
        except requests.RequestException as error:
            response, outcome = None, type(error).__name__
        with _lock:
            _logins.append({"at": round(started - _started, 1), "outcome": outcome})
        if response is not None and response.status_code == 200:
            token = response.json()["access_token"]
            session = _token_claims(token).get("sid")
            if session:
                with _lock:
                    _owned.add(str(session).lower())
            return token
        transient = response is None or response.status_code in (429, 502, 503, 504)
        if not transient or time.monotonic() >= deadline:
            detail = response.text[:300] if response is not None else outcome
            raise RuntimeError(f"login of the {ROLE} account {EMAIL} failed: {outcome} {detail}")
        time.sleep(2)


@schemathesis.auth(refresh_interval=TOKEN_REFRESH)
class BearerLogin:
    """The role's access token, fetched again every TOKEN_REFRESH s and after a 401 (`retry_on`)."""

    def get(self, case: Any, context: Any) -> str:
        return login()

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _is_id_key(key: str | None) -> bool:
    return key is not None and (key in ("id", "code") or key.endswith("_id") or key.endswith("_ids"))


def _walk_strings(value: Any, key: str | None = None) -> None:
    """Records the identifiers (`id`, `code`, `*_id`, `*_ids`) and emails of a response body."""
    if isinstance(value, dict):
        for k, v in value.items():
            _walk_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            _walk_strings(v, key)
    elif isinstance(value, str) and len(value) <= 200:
        if _is_id_key(key):
            _seen.add(value.lower())
        elif key == "email":
            _seen_emails.add(value.strip().lower())


def _foreign(value: Any) -> bool:
    """An identifier the API handed out (seen in a response) that this run did not create."""
    if not isinstance(value, str):
        return False
    text = value.lower()
    with _lock:
        return text in _seen and text not in _owned


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    label = f"{case.method.upper()} {case.operation.path}"
    headers = case.headers if case.headers is not None else {}
    headers["X-Forwarded-For"] = _fake_address()
    case.headers = headers

    body = case.body
    if label in LOGIN_OPERATIONS and isinstance(body, dict) and isinstance(body.get("email"), str):
        with _lock:
            known = body["email"].strip().lower() in _seen_emails
        if known:
            case.body = {**body, "email": f"fuzz-unknown-{uuid.uuid4().hex[:12]}@example.com"}
            with _lock:
                _rewrites[f"{label}: email of a real account -> unknown email"] += 1
    elif label in TERMINAL_LOGIN_OPERATIONS and isinstance(body, dict) and _foreign(body.get("location_id")):
        case.body = {**body, "location_id": str(uuid.uuid4())}
        with _lock:
            _rewrites[f"{label}: another suite's café -> random id"] += 1

    # The first path parameter names the resource a write changes (a packet's event list, a café's
    # stock, a client's tickets); the later ones only pick within it.
    names = PATH_PARAMETER_RE.findall(case.operation.path)
    if case.method.upper() in MUTATING and names and case.path_parameters:
        first = names[0]
        if _foreign(case.path_parameters.get(first)):
            case.path_parameters = {**case.path_parameters, first: str(uuid.uuid4())}
            with _lock:
                _rewrites[f"{label}: {first} not created by this run -> random UUID"] += 1


def _phase_of(case: Any) -> str:
    meta = getattr(case, "meta", None)
    phase = getattr(getattr(meta, "phase", None), "name", None)
    return str(getattr(phase, "value", phase) or "other")


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    label = f"{case.method.upper()} {case.operation.path}"
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        body = None
    phase = _phase_of(case)
    with _lock:
        _requests[label] += 1
        _phases[phase] += 1
        _statuses[label][str(response.status_code)] += 1
        if body is not None:
            _walk_strings(body)
            if (case.method.upper() in ("POST", "PUT") and 200 <= response.status_code < 300
                    and isinstance(body, dict)):
                for key in ("id", "code"):
                    if isinstance(body.get(key), str):
                        _owned.add(body[key].lower())


@schemathesis.hook
def after_network_error(context: Any, case: Any, request: Any) -> None:
    label = f"{case.method.upper()} {case.operation.path}"
    phase = _phase_of(case)
    with _lock:
        _requests[label] += 1
        _phases[phase] += 1
        if len(_network_errors[label]) < 3:
            _network_errors[label].append(f"{getattr(request, 'method', '?')} {getattr(request, 'url', '?')}")


@atexit.register
def _write_state() -> None:
    with _lock:
        state = {
            "role": ROLE,
            "requests": sum(_requests.values()),
            "requests_by_phase": dict(_phases),
            "requests_by_operation": dict(_requests),
            "statuses_by_operation": {label: dict(counts) for label, counts in _statuses.items()},
            "network_errors": dict(_network_errors),
            "logins": _logins,
            "rewrites": dict(_rewrites),
        }
        owned = sorted(_owned)
    if STATE_FILE:
        with open(STATE_FILE, "w") as handle:
            json.dump(state, handle, indent=1)
    if OWNED_FILE:
        with open(OWNED_FILE, "w") as handle:
            json.dump(owned, handle)


# FUZZ_EXTRA_HOOKS: a further hooks file (e.g. one that steers around a crash already reported,
# to look for the next finding without taking a shared gateway down again), loaded last.
if os.environ.get("FUZZ_EXTRA_HOOKS"):
    import importlib.util

    _spec = importlib.util.spec_from_file_location("fuzz_extra_hooks", os.environ["FUZZ_EXTRA_HOOKS"])
    assert _spec is not None and _spec.loader is not None, os.environ["FUZZ_EXTRA_HOOKS"]
    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
