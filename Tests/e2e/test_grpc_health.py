"""grpc.health.v1.Health on every service's gRPC port, with our contract's stubs and stock ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

import stack
from healthcheck import SERVING, SERVICE_UNKNOWN, HealthWatcher, status_name
from stack import SERVICES, get, wait_until


@pytest.mark.parametrize("service", SERVICES)
def test_check_overall_is_serving(channels, service: str) -> None:
    assert status_name(channels.check(service, "")) == "SERVING"


@pytest.mark.parametrize("service", SERVICES)
def test_check_own_name_is_serving(channels, service: str) -> None:
    assert status_name(channels.check(service, service)) == "SERVING"


@pytest.mark.parametrize("service", SERVICES)
def test_check_unknown_service_is_not_found(channels, service: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        channels.check(service, "e2e.NoSuchService")
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND, raised.value


@pytest.mark.parametrize("service", SERVICES)
def test_watch_sends_current_status_first(watchers, service: str) -> None:
    watcher: HealthWatcher = watchers(service)
    watcher.wait_for(SERVING, timeout=5)
    assert watcher.names()[0] == "SERVING"


def test_watch_unknown_service_reports_service_unknown(watchers) -> None:
    watcher: HealthWatcher = watchers("gateway", "e2e.NoSuchService")
    watcher.wait_for(SERVICE_UNKNOWN, timeout=5)
    assert watcher.names() == ["SERVICE_UNKNOWN"]
    assert watcher.is_open(), "Watch on an unknown service should stay open for later changes"


@pytest.mark.parametrize("service", SERVICES)
def test_check_is_counted_in_metrics(channels, service: str) -> None:
    channels.check(service, "")

    def counted() -> bool:
        return any(
            "request" in line.split("{", 1)[0] and "grpc.health.v1.Health/Check" in line
            for line in get(service, "/metrics").text.splitlines() if not line.startswith("#"))

    wait_until(counted, timeout=3, what=f"{service} /metrics to count a gRPC Health/Check call")


def test_stock_grpc_health_client_sees_every_service() -> None:
    probe = Path(__file__).with_name("stock_health_probe.py")
    targets = [f"{name}={stack.grpc_target(name)}" for name in SERVICES]
    result = subprocess.run(
        [sys.executable, str(probe), *targets], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    expected = {name: {"overall": "SERVING", "unknown": "NOT_FOUND"} for name in SERVICES}
    assert seen == expected
