"""The smoke test scripts/test-containers runs against the stack docker-compose.yml started under
podman: register and log in, an order paid, a ticket bought, an image uploaded and read back, the
admin dashboard counting the sale, then one service container restarted and the stack recovering.

Needs COMPOSE_GATEWAY_URL, ADMIN_EMAIL, ADMIN_PASSWORD and COMPOSE_RESTART (a command that takes a
compose service name), which scripts/test-containers sets. The tests run in file order."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import time
import uuid
from typing import Any, Callable

import pytest
import requests
from PIL import Image

GATEWAY = os.environ.get("COMPOSE_GATEWAY_URL", "")
JAEGER = os.environ.get("COMPOSE_JAEGER_URL", "")
TIMEOUT = 10
SETTLE = 60
state: dict[str, Any] = {}

if not GATEWAY:
    pytest.fail("COMPOSE_GATEWAY_URL is not set: run this through scripts/test-containers", pytrace=False)


def call(method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", None) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, GATEWAY + path, headers=headers, timeout=TIMEOUT, **kwargs)


def created(response: requests.Response, status: int = 201) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json()


def eventually(check: Callable[[], Any], what: str, timeout: float = SETTLE) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (requests.RequestException, AssertionError, KeyError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.5)


def login(email: str, password: str) -> str:
    return created(call("POST", "/api/auth/login", json={"email": email, "password": password}), 200)["access_token"]


def test_a_customer_registers_and_logs_in():
    email, password = f"smoke-{uuid.uuid4().hex[:12]}@example.com", f"Pw-{uuid.uuid4().hex}"
    user = created(call("POST", "/api/auth/register", json={"email": email, "password": password, "name": "Smoke"}))
    state["customer"] = eventually(lambda: login(email, password), "the new account can log in")
    assert created(call("GET", "/api/users/me", state["customer"]), 200)["id"] == user["id"]
    state["admin"] = login(os.environ["ADMIN_EMAIL"], os.environ["ADMIN_PASSWORD"])


def place_paid_order() -> dict:
    admin, customer = state["admin"], state["customer"]
    order = created(call("POST", "/api/orders", customer, json={
        "location_id": state["cafe"], "items": [{"product_id": state["product"], "quantity": 1}], "payment_token": "tok_ok"}))
    return eventually(lambda: (o := call("GET", f"/api/orders/{order['id']}", admin).json())["status"] == "paid" and o,
                      f"order {order['id']} paid")


def test_an_order_is_paid():
    admin = state["admin"]
    state["cafe"] = created(call("POST", "/api/locations", admin, json={
        "name": f"Smoke café {uuid.uuid4().hex[:8]}", "address": "1 Compose street", "access_code": f"code-{uuid.uuid4().hex[:16]}"}))["id"]
    state["product"] = created(call("POST", "/api/products", admin, json={
        "name": f"Smoke espresso {uuid.uuid4().hex[:8]}", "category": "smoke", "price_cents": 250, "description": ""}))["id"]
    created(call("POST", f"/api/locations/{state['cafe']}/restock", admin,
                 json={"items": [{"product_id": state["product"], "quantity": 10}]}), 200)
    order = place_paid_order()
    assert order["total_cents"] == 250 and order["payment"]["status"] == "succeeded", order


def test_the_order_is_one_trace_in_jaeger():
    """Jaeger's query API (the stand-in's, here) holds the order's trace with gateway, product and
    payment spans in it: every service exports to the compose file's collector."""
    def order_trace() -> dict | None:
        traces = requests.get(f"{JAEGER}/api/traces", params={"service": "gateway"}, timeout=TIMEOUT).json()["data"]
        for trace in traces:
            names = {(s["process"]["serviceName"], s["operationName"]) for s in trace["spans"]}
            if {("gateway", "POST /api/orders"), ("payment", "consume order.created"),
                    ("product", "consume payment.succeeded")} <= names:
                return trace
        return None

    eventually(order_trace, "the order's trace in jaeger")


def test_a_ticket_is_bought():
    event = created(call("POST", "/api/events", state["admin"], json={
        "name": f"Smoke concert {uuid.uuid4().hex[:8]}", "location": "Main hall", "description": "An evening",
        "starts_at": "2027-05-01T19:30:00Z", "capacity": 5}))
    client = created(call("PUT", "/api/clients/me", state["customer"], json={"first_name": "Smoke"}), 200)
    ticket = created(call("POST", f"/api/clients/{client['id']}/tickets", state["customer"], json={"event_id": event["id"]}))
    held = created(call("GET", "/api/clients/me", state["customer"]), 200)["tickets"]
    assert [t["code"] for t in held] == [ticket["code"]]


def test_an_image_is_uploaded_and_read_back():
    png = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(png, "PNG")
    image = created(call("POST", "/api/media/images", state["customer"], data=png.getvalue(),
                         headers={"Content-Type": "image/png"}))
    assert (image["width"], image["height"], image["content_type"]) == (32, 24, "image/png")
    url = image["url"] if image["url"].startswith("http") else GATEWAY + image["url"]
    read = requests.get(url, timeout=TIMEOUT)
    assert read.status_code == 200 and read.content == png.getvalue()


def test_the_admin_dashboard_counts_the_sale():
    summary = eventually(lambda: (s := call("GET", "/api/admin/analytics/summary", state["admin"]).json())["order_count"] >= 1 and s,
                         "analytics counting the paid order")
    assert summary["total_sales_cents"] >= 250


def test_a_restarted_service_container_recovers():
    subprocess.run([*shlex.split(os.environ["COMPOSE_RESTART"]), "product"], check=True, timeout=120)
    started = time.monotonic()
    eventually(lambda: call("GET", f"/api/products/{state['product']}", state["admin"]).status_code == 200, "product answering again", 120)
    order = place_paid_order()
    print(f"product restarted; an order was paid again after {time.monotonic() - started:.1f} s")
    assert order["status"] == "paid"
