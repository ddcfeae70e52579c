"""Helpers of the ticketing tests: events, packets, tickets (the event service) and clients (the
client service), reached through the gateway (`/api/events`, `/api/packets`, `/api/tickets`,
`/api/clients`, held to the OpenAPI document by `identity.call`) or through each service's own
REST front (`EVENT_FRONT` on :8001 under `/api/event-manager`, `CLIENT_FRONT` on :8000 under
`/api/clients`, the seed's paths), which must answer the same.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

import identity
from commerce import admin_token, new_staff
from identity import Account, new_account, post, put
from stack import http_url

EVENT_FRONT = http_url("event", "/api/event-manager")
CLIENT_FRONT = http_url("client", "/api/clients")
TIMEOUT = 30

# The gateway's paths and the event front's, resource by resource.
GATEWAY_TO_EVENT_FRONT = {"/api/events": "/events", "/api/packets": "/event-packets", "/api/tickets": "/tickets"}


def front_url(gateway_path: str) -> str:
    """The service front's URL of a gateway path (`/api/packets/1/events` → `:8001/api/event-manager/event-packets/1/events`)."""
    if gateway_path.startswith("/api/clients"):
        return CLIENT_FRONT + gateway_path[len("/api/clients"):]
    if gateway_path.startswith("/api/events/") and gateway_path.endswith("/packets"):
        return EVENT_FRONT + gateway_path.replace("/api/events", "/events").removesuffix("/packets") + "/event-packets"
    for prefix, front in GATEWAY_TO_EVENT_FRONT.items():
        if gateway_path.startswith(prefix):
            return EVENT_FRONT + front + gateway_path[len(prefix):]
    raise AssertionError(f"no service front serves {gateway_path}")


def front(method: str, gateway_path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
    """The same request as `identity.call` would send, to the service's own front."""
    headers = dict(kwargs.pop("headers", None) or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, front_url(gateway_path), headers=headers, timeout=TIMEOUT, **kwargs)


def new_event(owner: Account | None = None, *, capacity: int = 10, name: str | None = None) -> tuple[dict, Account]:
    owner = owner or new_staff("eventowner")
    response = post("/api/events", token=owner.access_token, json={
        "name": name or f"E2E concert {uuid.uuid4().hex[:8]}", "location": "Main hall",
        "description": "An evening", "starts_at": "2027-05-01T19:30:00Z", "capacity": capacity})
    assert response.status_code == 201, f"creating an event: {response.status_code} {response.text}"
    return response.json(), owner


def new_packet(owner: Account, event_ids: list[str], *, capacity: int | None = None) -> dict:
    body: dict[str, Any] = {"name": f"E2E pass {uuid.uuid4().hex[:8]}", "event_ids": event_ids}
    if capacity is not None:
        body["capacity"] = capacity
    response = post("/api/packets", token=owner.access_token, json=body)
    assert response.status_code == 201, f"creating a packet: {response.status_code} {response.text}"
    return response.json()


def profile(account: Account, **fields: Any) -> dict:
    """`account`'s client profile, created or changed with `fields`."""
    response = put("/api/clients/me", token=account.access_token, json=fields or {"first_name": "E2E"})
    assert response.status_code == 200, f"PUT /api/clients/me: {response.status_code} {response.text}"
    return response.json()


def new_client_by_admin() -> dict:
    response = post("/api/clients", token=admin_token(), json={"email": identity.unique_email("client")})
    assert response.status_code == 201, f"creating a client: {response.status_code} {response.text}"
    return response.json()


def buy(client_id: str, token: str, *, via_front: bool = False, key: str | None = None, **target: str) -> requests.Response:
    path = f"/api/clients/{client_id}/tickets"
    headers = {"Idempotency-Key": key} if key else None
    if via_front:
        return front("POST", path, token=token, json=target, headers=headers)
    return post(path, token=token, json=target, headers=headers)


def customer_with_profile(tag: str = "fan") -> tuple[Account, dict]:
    account = new_account(tag=tag)
    return account, profile(account)
