"""Where the running native stack is, and small helpers shared by the end-to-end tests.

The service table (names, HTTP ops ports, gRPC ports, stores) is `Services/services.tsv`, the
file `scripts/up` and the Swift manifest agree on, so the suite and the stack cannot drift apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
from service_table import read_services  # noqa: E402

HOST = os.environ.get("E2E_HOST", "127.0.0.1")

T = TypeVar("T")

_MANIFEST = read_services()
SERVICES: list[str] = [row["name"] for row in _MANIFEST]
HTTP_PORT: dict[str, int] = {row["name"]: row["http"] for row in _MANIFEST}
GRPC_PORT: dict[str, int] = {row["name"]: row["grpc"] for row in _MANIFEST}

# The readiness checks each service reports: its store, and the broker if it uses one.
READY_CHECKS: dict[str, set[str]] = {
    row["name"]: ({row["store"].split(":")[0]} if row["store"] != "-" else set())
    | ({"broker"} if row["broker"] else set())
    for row in _MANIFEST
}


def services_using(check: str) -> list[str]:
    return [name for name in SERVICES if check in READY_CHECKS[name]]


def http_url(service: str, path: str = "/") -> str:
    return f"http://{HOST}:{HTTP_PORT[service]}{path}"


def grpc_target(service: str) -> str:
    return f"{HOST}:{GRPC_PORT[service]}"


# The gateway's port is public: it shows /metrics and the checks of /ready to an admin only.
# conftest.py sets this to a function returning an admin's access token.
admin_token: Callable[[], str] | None = None
OPS_DETAIL = ("/metrics", "/ready")


def get(service: str, path: str, **kwargs) -> requests.Response:
    """GET on a service's HTTP port; the gateway's ops detail is asked for as an admin."""
    kwargs.setdefault("timeout", 5)
    if service == "gateway" and path in OPS_DETAIL and admin_token is not None:
        kwargs["headers"] = {"Authorization": f"Bearer {admin_token()}", **(kwargs.get("headers") or {})}
    return requests.get(http_url(service, path), **kwargs)


def wait_until(
    probe: Callable[[], T], *, timeout: float, interval: float = 0.2, what: str = "condition"
) -> T:
    """Calls `probe` until it returns something truthy or `timeout` seconds pass.

    Returns the truthy value; on timeout raises AssertionError naming `what` and the last
    value (or exception) seen, so a failing poll explains itself.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = probe()
            if value:
                return value
            last = value
        except Exception as error:  # noqa: BLE001 - reported below
            last = error
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last: {last!r}")
        time.sleep(interval)


def infra(*args: str, timeout: float = 120) -> None:
    """Runs `scripts/infra ARGS…` (start/stop a project-local server), failing loudly."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "infra"), *args],
        capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"scripts/infra {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")


def unreachable_services(timeout: float = 2.0) -> list[str]:
    """The services whose /health does not answer 200 (with why)."""
    problems = []
    for name in SERVICES:
        try:
            status = get(name, "/health", timeout=timeout).status_code
            if status != 200:
                problems.append(f"{name} ({http_url(name, '/health')} answered {status})")
        except requests.RequestException as error:
            problems.append(f"{name} ({http_url(name, '/health')}: {type(error).__name__})")
    return problems
