"""Two replicas of every service on the native stack (`PLATFORM_REPLICAS=2 scripts/up --detach`):
replica R binds 127.0.0.R with the same ports and every caller spreads its gRPC calls over both.
What must hold for several replicas: each serves its share, a revocation or profile change made
through one gateway reaches the other's caches (each has a queue of its own), the login throttle
counts across replicas, and orders placed through both gateways settle exactly once while the
outbox relays and consumers of both replicas share the work. `scripts/test` runs this file on
such a stack; on a stack of one replica it is skipped."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import commerce
import identity
import stack
from identity import Account, bearer, error_of, fake_address, new_account

REPLICAS = int(os.environ.get("PLATFORM_REPLICAS", "1"))
pytestmark = pytest.mark.skipif(REPLICAS < 2, reason="needs a stack of PLATFORM_REPLICAS=2")
ME = "/api/users/me"


def replica_url(service: str, replica: int, path: str) -> str:
    return f"http://127.0.0.{replica}:{stack.HTTP_PORT[service]}{path}"


def via(replica: int, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
    """One request to the gateway replica `replica`."""
    headers = {**(bearer(token) if token else {}), "X-Forwarded-For": fake_address(), **kwargs.pop("headers", {})}
    return requests.request(method, replica_url("gateway", replica, path), headers=headers, timeout=10, **kwargs)


def served_rpcs(service: str, replica: int) -> int:
    """The RPCs other than health checks that replica `replica` of `service` has answered."""
    text = requests.get(replica_url(service, replica, "/metrics"), timeout=5).text
    return sum(int(float(count)) for labels, count in re.findall(r"^grpc_server_requests(?:_total)?\{([^}]*)\} (\S+)$", text, re.M)
               if "grpc.health" not in labels)


@pytest.mark.parametrize("service", stack.SERVICES)
def test_every_replica_is_ready(service: str) -> None:
    for replica in range(1, REPLICAS + 1):
        response = requests.get(replica_url(service, replica, "/ready"), timeout=5)
        assert response.status_code == 200, f"{service} replica {replica}: {response.status_code} {response.text}"


def test_calls_spread_over_the_replicas_of_each_peer() -> None:
    for _ in range(4):
        account = new_account(tag="spread")
        assert via(2, "GET", ME, token=account.access_token).status_code == 200
    for service in ("user", "auth", "idm"):
        counts = [served_rpcs(service, replica) for replica in range(1, REPLICAS + 1)]
        assert all(counts), f"{service}: RPCs served per replica {counts}"


def test_a_logout_through_one_gateway_is_refused_by_the_other() -> None:
    account = new_account(tag="fanout")
    assert via(2, "GET", ME, token=account.access_token).status_code == 200  # now in replica 2's caches
    assert via(1, "POST", "/api/auth/logout", token=account.access_token).status_code == 204
    stack.wait_until(lambda: via(2, "GET", ME, token=account.access_token).status_code == 401, timeout=2,
                     interval=0.05, what="gateway replica 2 to refuse the revoked session")


def test_a_profile_change_through_one_gateway_is_seen_by_the_other() -> None:
    account = new_account(tag="profile")
    assert via(2, "GET", ME, token=account.access_token).json()["name"] == account.name
    renamed = via(1, "PATCH", ME, token=account.access_token, json={"name": "Renamed on replica one"})
    assert renamed.status_code == 200, renamed.text
    stack.wait_until(lambda: via(2, "GET", ME, token=account.access_token).json()["name"] == "Renamed on replica one",
                     timeout=2, interval=0.05, what="gateway replica 2 to serve the new name")


def test_the_login_throttle_counts_the_failures_on_every_replica() -> None:
    """Five wrong passwords spread over both gateways and both idm replicas: the account is locked
    on all of them (per-replica counts would each have seen only some of the five)."""
    account = identity.register_account(tag="throttle")
    for attempt in range(5):
        wrong = via(1 + attempt % 2, "POST", "/api/auth/login", json={"email": account.email, "password": "wrong-" + account.password})
        assert wrong.status_code == 401, wrong.text
    for replica in range(1, REPLICAS + 1):
        refused = via(replica, "POST", "/api/auth/login", json={"email": account.email, "password": account.password})
        error_of(refused, 429, "resource_exhausted")


def test_orders_through_both_gateways_settle_once_each() -> None:
    cafe, product = commerce.new_cafe("replicas"), commerce.new_product("replicas", price_cents=300)
    commerce.restock(cafe.id, product["id"], 30)
    customers = commerce.new_customers(4, tag="replica-buyer")
    since = commerce.utc_now()

    def order(index: int) -> str:
        customer: Account = customers[index % len(customers)]
        body = {"location_id": cafe.id, "items": [{"product_id": product["id"], "quantity": 1}],
                "payment_token": "tok_declined" if index % 5 == 0 else "tok_ok"}
        response = via(1 + index % 2, "POST", "/api/orders", token=customer.access_token, json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(order, range(24)))
    final = commerce.wait_for_orders(ids)
    paid = [i for i, o in final.items() if o["status"] == "paid"]
    assert sorted(o["status"] for o in final.values()) == ["paid"] * 19 + ["payment_failed"] * 5
    payments = {i: [row["status"] for row in rows] for i, rows in commerce.payments_for(ids, since).items()}
    for order_id, order in final.items():
        if order["status"] == "paid":
            assert payments[order_id] == ["succeeded"], (order_id, payments[order_id])
        else:
            assert "succeeded" not in payments[order_id] and len(payments[order_id]) <= 1, (order_id, payments[order_id])
    assert commerce.quantity(cafe.id, product["id"]) == 30 - len(paid)
