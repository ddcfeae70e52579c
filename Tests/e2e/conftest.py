"""Live-stack end-to-end suite.

It assumes the native stack is already running (`scripts/up --detach`, which `scripts/test`
runs first) and stops at once, failing, when it is not reachable. Service names and ports come
from `scripts/lib/services.sh`; gRPC stubs are generated from `Protos/` at session start.
"""

from __future__ import annotations

import pytest

import healthcheck
import protogen
import stack


def pytest_configure(config: pytest.Config) -> None:
    # Also declared in pytest.ini, which is not read when pytest runs from another rootdir
    # (scripts/test passes Tests/e2e together with scripts/mongo-dev).
    config.addinivalue_line(
        "markers", "disruptive: stops and restarts shared infrastructure; runs after all other tests")
    protogen.ensure_stubs()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable sort: tests that take a server down run last, so they cannot disturb the rest.
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


@pytest.fixture(scope="session", autouse=True)
def live_stack() -> None:
    problems = stack.unreachable_services()
    if problems:
        pytest.exit(
            "the native stack is not running (or not all of it): start it with `scripts/up --detach` "
            "(scripts/test does this before running the suite). Not answering /health: "
            + "; ".join(problems),
            returncode=pytest.ExitCode.TESTS_FAILED)


@pytest.fixture(scope="session")
def channels():
    """`channels(service)` → a long-lived gRPC channel; `channels.check(service, name)` → status."""
    opened = healthcheck.Channels()
    yield opened
    opened.close()


@pytest.fixture
def watchers(channels):
    """`watchers(service)` starts a HealthWatcher on Watch(""); all are closed after the test."""
    started: list[healthcheck.HealthWatcher] = []

    def start(service: str, name: str = "") -> healthcheck.HealthWatcher:
        watcher = healthcheck.HealthWatcher(channels, service, name)
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.close()
