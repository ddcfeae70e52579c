"""X-Request-ID: a well-formed one is echoed, a missing or malformed one is replaced."""

from __future__ import annotations

import re
import uuid

import pytest

from stack import SERVICES, get

UUID_LIKE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HEADER = "X-Request-ID"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("supplied", [
    str(uuid.uuid4()),
    "e2e_trace.0042-ABC",
    "x" * 128,
], ids=["uuid", "token", "128-chars"])
def test_well_formed_request_id_is_echoed(service: str, supplied: str) -> None:
    response = get(service, "/health", headers={HEADER: supplied})
    assert response.status_code == 200
    assert response.headers.get(HEADER) == supplied


@pytest.mark.parametrize("service", SERVICES)
def test_missing_request_id_is_generated(service: str) -> None:
    first = get(service, "/health").headers.get(HEADER)
    second = get(service, "/health").headers.get(HEADER)
    assert first and UUID_LIKE.match(first), first
    assert second and UUID_LIKE.match(second), second
    assert first != second


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("malformed", [
    "a" * 300,
    "x" * 129,
    "has spaces in it",
    "semi;colon<script>",
    "",
], ids=["300-chars", "129-chars", "spaces", "punctuation", "empty"])
def test_malformed_request_id_is_replaced(service: str, malformed: str) -> None:
    response = get(service, "/health", headers={HEADER: malformed})
    assert response.status_code == 200
    echoed = response.headers.get(HEADER)
    assert echoed != malformed
    assert echoed and UUID_LIKE.match(echoed), echoed
