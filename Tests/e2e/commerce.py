"""Helpers of the commerce tests: the menu, cafés, stock, terminal login, orders and payments
(Services/Gateway/API/openapi.yaml, tags products, locations, stock, orders, payments).

- Every call goes through `identity.call`, so every response is held to the OpenAPI document and
  scanned for leaks; every café's access code is registered as a secret there
  (`identity.remember_secret`), so no response of any test may contain one.
- Each test makes its own cafés and products (names carry a fresh uuid), so the stock and the
  orders of one test are never touched by another.
- Orders are created `pending_payment` and change asynchronously: `wait_for_order` polls.
- `payments_for` pages `GET /api/admin/payments` (newest first) back to a given instant: the
  document offers no filter by order.
- Process control for the disruptive tests (SIGKILL through the pid file, `scripts/service-restart`
  with extra environment), and the broker URL for pika.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable

import requests

import identity
import processes
from identity import Account, call, fake_address, get, new_account, post
from stack import ROOT, get as ops_get, wait_until

SETTLE_WITHIN = 20.0  # seconds for an order's payment to be answered on the running stack
FINAL = frozenset({"paid", "payment_failed", "cancelled", "refunded"})
COMMERCE_TAGS = frozenset({"products", "locations", "stock", "orders", "payments"})


# --- accounts ----------------------------------------------------------------------------------

_admin_lock = threading.Lock()
_admin: dict[str, Any] = {}


def admin() -> Account:
    """The first admin, logged in once and again a minute before its access token expires."""
    with _admin_lock:
        if not _admin or time.monotonic() > _admin["renew_at"]:
            account = identity.admin_account()
            claims = identity.jwt_segments(account.access_token)[1]
            lifetime = claims["exp"] - claims["iat"]
            _admin.update(account=account, renew_at=time.monotonic() + max(0, lifetime - 60))
        return _admin["account"]


def admin_token() -> str:
    return admin().access_token


def new_staff(tag: str = "staff") -> Account:
    """A user the admin created with the role `staff`, logged in."""
    account = Account(email=identity.unique_email(tag), password=identity.new_password(), name=f"E2E {tag}")
    response = post("/api/admin/users", token=admin_token(),
                    json={"email": account.email, "password": account.password, "name": account.name, "roles": ["staff"]})
    assert response.status_code == 201, f"creating a staff user: {response.status_code} {response.text}"
    account.id, account.roles = response.json()["id"], ("staff",)
    identity.wait_for_account(account.id)
    identity.login_tokens(account)
    return account


def new_customers(count: int, tag: str = "buyer") -> list[Account]:
    with ThreadPoolExecutor(max_workers=min(8, count)) as pool:
        return list(pool.map(lambda i: new_account(tag=f"{tag}{i}"), range(count)))


# --- cafés -------------------------------------------------------------------------------------

@dataclass
class Cafe:
    id: str
    name: str
    code: str


def new_code() -> str:
    """A fresh access code, remembered as a secret no response may contain."""
    return identity.remember_secret(f"code-{uuid.uuid4().hex[:20]}")


def new_cafe(tag: str = "cafe", code: str | None = None) -> Cafe:
    code = identity.remember_secret(code) if code else new_code()
    name = f"E2E {tag} {uuid.uuid4().hex[:10]}"
    response = post("/api/locations", token=admin_token(), json={"name": name, "address": f"{tag} street 1", "access_code": code})
    assert response.status_code == 201, f"creating a café: {response.status_code} {response.text}"
    return Cafe(id=response.json()["id"], name=name, code=code)


def terminal_login(location_id: str, code: str, *, address: str | None = None) -> requests.Response:
    """POST /api/auth/terminal-login from a fresh client address (unless one is given)."""
    return post("/api/auth/terminal-login", json={"location_id": location_id, "access_code": code},
                address=address or fake_address())


def terminal(cafe: Cafe) -> dict:
    """A terminal's token pair for the café (must succeed)."""
    response = terminal_login(cafe.id, cafe.code)
    assert response.status_code == 200, f"terminal login at {cafe.id}: {response.status_code} {response.text}"
    return response.json()


# --- menu and stock ----------------------------------------------------------------------------

def new_product(tag: str = "item", *, price_cents: int = 250, category: str | None = None,
                description: str = "", token: str | None = None) -> dict:
    body = {"name": f"E2E {tag} {uuid.uuid4().hex[:12]}", "category": category or f"e2e-{tag}",
            "price_cents": price_cents, "description": description}
    response = post("/api/products", token=token or admin_token(), json=body)
    assert response.status_code == 201, f"creating a product: {response.status_code} {response.text}"
    with _products_lock:
        _products.append(response.json()["id"])
    return response.json()


_products: list[str] = []
_products_lock = threading.Lock()


def retire_products() -> None:
    """Deactivates the products `new_product` made, so that the menu and every café's stock list
    (one line per active product, not paged) do not grow with every run."""
    with _products_lock:
        ids, _products[:] = list(_products), []
    for product_id in ids:
        status = call("DELETE", f"/api/products/{product_id}", token=admin_token()).status_code
        assert status in (204, 404), f"deactivating {product_id}: {status}"


def deactivate_product(product_id: str) -> None:
    response = call("DELETE", f"/api/products/{product_id}", token=admin_token())
    assert response.status_code == 204, f"deactivating {product_id}: {response.status_code} {response.text}"


def restock(location_id: str, product_id: str, quantity: int, *, token: str | None = None) -> dict:
    """Restocks one product (must succeed); returns its new stock line."""
    response = post(f"/api/locations/{location_id}/restock", token=token or admin_token(),
                    json={"items": [{"product_id": product_id, "quantity": quantity}]})
    assert response.status_code == 200, f"restocking: {response.status_code} {response.text}"
    (line,) = [line for line in response.json()["items"] if line["product_id"] == product_id]
    return line


def stock_line(location_id: str, product_id: str, *, token: str | None = None) -> dict:
    response = get(f"/api/locations/{location_id}/stock", token=token or admin_token())
    assert response.status_code == 200, f"stock of {location_id}: {response.status_code} {response.text}"
    lines = [line for line in response.json()["items"] if line["product_id"] == product_id]
    assert len(lines) == 1, f"{len(lines)} stock lines for product {product_id} at {location_id}"
    return lines[0]


def quantity(location_id: str, product_id: str) -> int:
    return stock_line(location_id, product_id)["quantity"]


def pages(path: str, *, token: str, params: dict | None = None, page_size: int = 100,
          stop: Any = None) -> Iterable[dict]:
    """Every item of a paged list (`{items, page, page_size, total}`), page by page; `stop(item)`
    true ends the walk early."""
    page = 1
    while True:
        response = get(path, token=token, params={**(params or {}), "page": page, "page_size": page_size})
        assert response.status_code == 200, f"GET {path} page {page}: {response.status_code} {response.text}"
        body = response.json()
        assert body["page"] == page and body["page_size"] == page_size, body
        for item in body["items"]:
            if stop is not None and stop(item):
                return
            yield item
        if not body["items"] or page * page_size >= body["total"]:
            return
        page += 1


def movements(location_id: str, product_id: str, *, token: str | None = None) -> list[dict]:
    """The product's whole stock history at the café, oldest first (the API pages it newest first)."""
    items = list(pages(f"/api/locations/{location_id}/stock/{product_id}/movements", token=token or admin_token()))
    return sorted(items, key=lambda item: item["id"])


def assert_history_consistent(history: list[dict], final: int) -> None:
    """Oldest first: every quantity_after is the previous one plus the delta, never below 0,
    ending at `final`."""
    level = 0
    for movement in history:
        level += movement["delta"]
        assert movement["quantity_after"] == level, f"the history does not add up at {movement}: expected {level}"
        assert level >= 0, f"the stock went below 0 at {movement}"
    assert level == final, f"the history ends at {level}, the stock line says {final}"


# --- orders ------------------------------------------------------------------------------------

def place(token: str, location_id: str | None, items: list[tuple[str, int]] | list[dict], *,
          payment_token: str | None = None, key: str | None = None, extra: dict | None = None,
          **kwargs: Any) -> requests.Response:
    """POST /api/orders; `items` as (product_id, quantity) pairs or as bodies."""
    body: dict[str, Any] = {"items": [item if isinstance(item, dict) else {"product_id": item[0], "quantity": item[1]}
                                      for item in items]}
    if location_id is not None:
        body["location_id"] = location_id
    if payment_token is not None:
        body["payment_token"] = payment_token
    body.update(extra or {})
    headers = {"Idempotency-Key": key} if key is not None else None
    return post("/api/orders", token=token, json=body, headers=headers, **kwargs)


def order_placed(token: str, location_id: str | None, product_id: str, count: int = 1, **kwargs: Any) -> dict:
    """One order of `count` units (must be 201)."""
    response = place(token, location_id, [(product_id, count)], **kwargs)
    assert response.status_code == 201, f"ordering: {response.status_code} {response.text}"
    order = response.json()
    assert order["status"] == "pending_payment" and order["payment"] is None, order
    return order


def get_order(order_id: str, token: str | None = None) -> dict:
    response = get(f"/api/orders/{order_id}", token=token or admin_token())
    assert response.status_code == 200, f"GET order {order_id}: {response.status_code} {response.text}"
    return response.json()


def wait_for_order(order_id: str, statuses: Iterable[str] | str = FINAL, *, timeout: float = SETTLE_WITHIN,
                   token: str | None = None) -> dict:
    """Polls the order until its status is one of `statuses`; returns it."""
    wanted = {statuses} if isinstance(statuses, str) else set(statuses)
    last: dict = {}

    def probe() -> dict | None:
        last.update(get_order(order_id, token))
        return dict(last) if last["status"] in wanted else None

    try:
        return wait_until(probe, timeout=timeout, interval=0.1, what=f"order {order_id} to be {sorted(wanted)}")
    except AssertionError as error:
        raise AssertionError(f"{error}; the order: {last}") from None


def wait_for_orders(order_ids: Iterable[str], statuses: Iterable[str] | str = FINAL, *,
                    timeout: float = SETTLE_WITHIN) -> dict[str, dict]:
    ids = list(order_ids)
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(ids, pool.map(lambda i: wait_for_order(i, statuses, timeout=timeout), ids)))


def orders_at(location_id: str) -> list[dict]:
    """Every order of the café (admin)."""
    return list(pages("/api/orders", token=admin_token(), params={"location_id": location_id}))


# --- payments ----------------------------------------------------------------------------------

def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def payments_for(order_ids: Iterable[str], since: datetime.datetime) -> dict[str, list[dict]]:
    """The payment rows of the given orders (order id → rows), from the admin list walked newest
    first back to `since` (a little before the orders were created)."""
    wanted = set(order_ids)
    out: dict[str, list[dict]] = {order_id: [] for order_id in wanted}
    for record in pages("/api/admin/payments", token=admin_token(),
                        stop=lambda item: parse_time(item["created_at"]) < since):
        if record["order_id"] in wanted:
            out[record["order_id"]].append(record)
    return out


# --- processes ---------------------------------------------------------------------------------

def restart(name: str, **settings: str) -> None:
    """`processes.restart`, then waits until the gateway reaches the service again."""
    processes.restart(name, **settings)
    wait_until_routed(name)


def wait_until_routed(name: str, timeout: float = 15) -> None:
    """Waits until the service is ready and the gateway reaches it again: its gRPC channel may
    still be backing off from the refused reconnects of the restart (503 meanwhile)."""
    wait_until(lambda: ops_get(name, "/ready").status_code == 200, timeout=60, what=f"{name} ready")
    if name in ROUTED_BY:
        path, token = ROUTED_BY[name]()
        wait_until(lambda: get(path, token=token).status_code == 200, timeout=timeout, interval=0.05,
                   what=f"the gateway to reach {name} again (GET {path})")


# A gateway route that only answers 200 when the service answers: (path, token).
ROUTED_BY = {
    "product": lambda: ("/api/products?page_size=1", None),
    "payment": lambda: ("/api/admin/payments?page_size=1", admin_token()),
}


def ensure_running(name: str) -> None:
    """Restarts the service (defaults) unless it runs; then waits until the gateway reaches it."""
    if processes.service_pid(name) is None:
        restart(name)
    wait_until_routed(name)


# --- broker ------------------------------------------------------------------------------------

EXCHANGE = "platform.events"


@functools.cache
def amqp_url() -> str:
    """AMQP_URL, else what scripts/lib/env.sh makes of .local/secrets.env."""
    url = os.environ.get("AMQP_URL")
    if url:
        return url
    result = subprocess.run(["bash", "-c", 'source "$1" >/dev/null && printf %s "$AMQP_URL"', "env.sh",
                             str(ROOT / "scripts" / "lib" / "env.sh")],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0 and result.stdout, f"no AMQP_URL: source scripts/lib/env.sh failed: {result.stderr}"
    return result.stdout


@contextlib.contextmanager
def broker_connection():
    """A blocking pika connection to the broker (10 s socket timeouts), closed after."""
    import pika  # only the tests that talk to the broker need it

    parameters = pika.URLParameters(amqp_url())
    parameters.socket_timeout = 10
    parameters.blocked_connection_timeout = 10
    connection = pika.BlockingConnection(parameters)
    try:
        yield connection
    finally:
        if connection.is_open:
            connection.close()
