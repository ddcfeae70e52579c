"""Readiness follows a dependency: Postgres goes down and comes back, the services follow
without being restarted, and the services on other stores are not affected."""

from __future__ import annotations

import time

import pytest

import stack
from healthcheck import NOT_SERVING, SERVING, status_name
from stack import SERVICES, get, services_using, wait_until

DOWN_WITHIN = 10.0  # seconds after `scripts/infra stop postgres` returned
UP_WITHIN = 15.0    # seconds after `scripts/infra start postgres` returned

POSTGRES_BACKED = services_using("postgres")
OTHERS = [name for name in SERVICES if name not in POSTGRES_BACKED]


@pytest.fixture
def postgres_outage():
    """Stops Postgres when the test says so; always starts it again, even if the test fails."""

    class Outage:
        def stop(self) -> None:
            stack.infra("stop", "postgres")

        def start(self) -> None:
            stack.infra("start", "postgres")

    outage = Outage()
    try:
        yield outage
    finally:
        stack.infra("start", "postgres")  # a no-op when it already runs
        # Leave the stack as we found it for whatever runs next.
        wait_until(lambda: all(get(name, "/ready").status_code == 200 for name in SERVICES),
                   timeout=60, what="every service ready again after the outage test")


def ready_body(service: str, status_code: int) -> dict | None:
    response = get(service, "/ready")
    return response.json() if response.status_code == status_code else None


def not_ready_because_of_postgres(service: str) -> dict | None:
    body = ready_body(service, 503)
    if body is None or body.get("checks", {}).get("postgres") == "ok":
        return None
    return body


@pytest.mark.disruptive
def test_postgres_outage_is_reported_and_recovers(postgres_outage, channels, watchers) -> None:
    assert POSTGRES_BACKED == ["idm", "auth", "user", "media", "product", "payment"]

    # Before: every service ready; Watch streams opened now must live through the whole outage.
    for name in SERVICES:
        assert get(name, "/ready").status_code == 200, f"{name} not ready before the outage"
    streams = {name: watchers(name) for name in SERVICES}
    for stream in streams.values():
        stream.wait_for(SERVING, timeout=5)

    # Postgres down.
    postgres_outage.stop()
    stopped = time.monotonic()
    for name in POSTGRES_BACKED:
        remaining = max(0.5, DOWN_WITHIN - (time.monotonic() - stopped))
        body = wait_until(lambda: not_ready_because_of_postgres(name), timeout=remaining,
                          what=f"{name} /ready to answer 503 with a failing postgres check")
        assert body["status"] == "not_ready" and body["service"] == name, body
        assert body["checks"] == {"postgres": body["checks"]["postgres"], "broker": "ok"}, body
        assert status_name(channels.check(name, "")) == "NOT_SERVING", f"{name} gRPC Check"
        assert status_name(channels.check(name, name)) == "NOT_SERVING", f"{name} gRPC Check({name!r})"
    for name in POSTGRES_BACKED:
        remaining = max(0.5, DOWN_WITHIN - (time.monotonic() - stopped))
        streams[name].wait_for(NOT_SERVING, timeout=remaining)

    # Services on MariaDB, MongoDB or only the broker do not care.
    for name in OTHERS:
        response = get(name, "/ready")
        assert response.status_code == 200, f"{name} lost readiness with Postgres down: {response.text}"
        assert status_name(channels.check(name, "")) == "SERVING", f"{name} gRPC Check"

    # Postgres back: the same processes recover on their own.
    postgres_outage.start()
    started = time.monotonic()
    for name in POSTGRES_BACKED:
        remaining = max(0.5, UP_WITHIN - (time.monotonic() - started))
        body = wait_until(lambda: ready_body(name, 200), timeout=remaining,
                          what=f"{name} /ready to answer 200 again")
        assert body["checks"] == {check: "ok" for check in stack.READY_CHECKS[name]}, body
        assert status_name(channels.check(name, "")) == "SERVING", f"{name} gRPC Check"
    for name in POSTGRES_BACKED:
        remaining = max(0.5, UP_WITHIN - (time.monotonic() - started))
        streams[name].wait_for(SERVING, count=2, timeout=remaining)

    # One uninterrupted stream per service: no restart, and exactly the transitions expected.
    for name in POSTGRES_BACKED:
        assert streams[name].is_open(), f"{name}: Watch stream broke ({streams[name].error!r})"
        assert streams[name].names() == ["SERVING", "NOT_SERVING", "SERVING"], name
    for name in OTHERS:
        assert streams[name].is_open(), f"{name}: Watch stream broke ({streams[name].error!r})"
        assert streams[name].names() == ["SERVING"], name
