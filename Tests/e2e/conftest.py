"""Live-stack end-to-end suite.

It assumes the native stack is already running (`scripts/up --detach`, which `scripts/test`
runs first) and stops at once, failing, when it is not reachable. Service names and ports come
from `scripts/lib/services.sh`; gRPC stubs are generated from `Protos/` at session start.
Gateway responses are checked against Services/Gateway/API/openapi.yaml (contract.py); the
documented (operationId, status) pairs no test saw are listed at the end, without failing.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

import contract
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
    import commerce  # after protogen made the gRPC stubs identity imports

    stack.admin_token = commerce.admin_token


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


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Lists the documented responses this run never saw (a note, never a failure: some, like
    503 on every route, are proven by the disruptive tests or not at all)."""
    if not contract.observed():
        return  # no gateway response was checked (e.g. only gRPC tests ran)
    missing = contract.unobserved()
    total = len(contract.documented())
    terminalreporter.write_sep("-", f"OpenAPI responses not observed: {len(missing)} of {total} documented")
    by_status: dict[str, list[str]] = defaultdict(list)
    for operation_id, status in missing:
        by_status[status].append(operation_id)
    for status in sorted(by_status):
        terminalreporter.write_line(f"{status}: {', '.join(by_status[status])}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    # Lets fixtures see whether their test failed (the browser fixture then saves a screenshot).
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
