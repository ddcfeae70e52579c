"""/health, /ready and /metrics on every service's HTTP port."""

from __future__ import annotations

import re

import pytest

import identity
import stack
from stack import SERVICES, get, wait_until

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+-?\d+)?$")


@pytest.mark.parametrize("service", SERVICES)
def test_health_names_the_service_its_version_and_uptime(service: str) -> None:
    response = get(service, "/health")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert {key: body[key] for key in ("status", "service")} == {"status": "ok", "service": service}
    assert body["version"] and isinstance(body["uptime_seconds"], int) and body["uptime_seconds"] >= 0, body
    assert set(body) == {"status", "service", "version", "uptime_seconds"}


@pytest.mark.parametrize("service", SERVICES)
def test_ready_reports_every_dependency_ok(service: str) -> None:
    response = get(service, "/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "service": service,
        "checks": {check: "ok" for check in stack.READY_CHECKS[service]},
    }


@pytest.mark.parametrize("service", SERVICES)
def test_metrics_are_prometheus_text_counting_requests(service: str) -> None:
    assert get(service, "/health").status_code == 200

    def health_counted() -> str | None:
        response = get(service, "/metrics")
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.text
        counted = any(
            "request" in line.split("{", 1)[0] and '"/health"' in line
            for line in text.splitlines() if not line.startswith("#"))
        return text if counted else None

    text = wait_until(health_counted, timeout=3, what=f"{service} /metrics to count a /health request")
    assert "# TYPE " in text
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert SAMPLE.match(line), f"not a Prometheus sample line: {line!r}"


def test_the_admins_full_health_asks_every_service() -> None:
    report = identity.get("/api/health/full", token=identity.admin_account().access_token)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["status"] == "ok", body
    assert [service["name"] for service in body["services"]] == SERVICES
    assert all(service["status"] == "ready" and service["version"] and service["uptime_seconds"] >= 0
               for service in body["services"]), body
