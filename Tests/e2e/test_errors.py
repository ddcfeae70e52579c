"""Unknown routes answer the platform's JSON error body, never HTML or an empty 404."""

from __future__ import annotations

import pytest

from stack import SERVICES, get, http_url

import requests

UNKNOWN = "/api/e2e-no-such-route"


def assert_not_found_body(response: requests.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"].split(";")[0].strip() == "application/json"
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == "not_found", body
    assert isinstance(error["message"], str) and error["message"], body
    assert set(error) <= {"code", "message", "details"}, body


def test_gateway_unknown_route_is_json_404() -> None:
    assert_not_found_body(get("gateway", UNKNOWN))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_gateway_unknown_route_is_json_404_for_any_method(method: str) -> None:
    response = requests.request(method, http_url("gateway", UNKNOWN), json={"x": 1}, timeout=5)
    assert_not_found_body(response)


def test_error_response_keeps_the_request_id() -> None:
    response = get("gateway", UNKNOWN, headers={"X-Request-ID": "e2e-error-trace"})
    assert response.status_code == 404
    assert response.headers.get("X-Request-ID") == "e2e-error-trace"


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "gateway"])
def test_every_service_unknown_route_is_json_404(service: str) -> None:
    assert_not_found_body(get(service, UNKNOWN))
