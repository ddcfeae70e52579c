"""Security end to end through the gateway (Services/Gateway/API/openapi.yaml), on the live stack.

- Object-level access, from the document: every operation with a path parameter is in `RULES`,
  which makes a real object as its owner (a customer, staff, a café terminal, the admin) and
  calls the operation as an unrelated caller with the same role (a non-admin for admin-only
  operations): 403 or 404, none of the object's data in the body, the object unchanged, and
  the owner's same call is not refused (so the refusal was about the caller). An operation
  with a path parameter and no rule fails ("add a factory"): a new route cannot escape.
- Injection: every string field of the bodies and every string query parameter of a set of
  operations gets SQL metacharacters, a NUL, 100,000 characters and bytes that are not UTF-8:
  4xx, or 2xx with the value stored exactly (read back) or a list that really matches it; never
  5xx; and the data stays intact.
- Limits of the edge: 413 by declared length before the body is read, 431 over 16 KiB of
  headers, 405 with `Allow` on every documented path, 1,000 idle connections, a head trickling
  in cut off after the idle timeout.
- Exposure: /metrics and the detail of /ready only for an admin on the public port.
- Tokens: a refresh token spent twice at the same moment, and forgeries test_identity_rest.py
  does not already try (correctly signed by another key, keys named in the header, other algs).

Calls through `identity.call` are held to the document (contract.py) and scanned for leaks; the
injection and limit probes send what the document forbids, so they use plain requests or a socket.
"""

from __future__ import annotations

import functools
import io
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pytest
import requests
from PIL import Image

import commerce
import contract
import identity
import security
import stack
import ticketing
from commerce import Cafe, admin_token, new_cafe, new_product, new_staff, order_placed, restock, terminal
from identity import Account, call, error_of, fake_address, get, new_account, post, refused_within
from stack import SERVICES

ME = "/api/auth/me"
DENIED = {403, 404}


@pytest.fixture(scope="module", autouse=True)
def retired_products():
    """The products the tests made leave the menu after them."""
    yield
    commerce.retire_products()


# --- the accounts and objects of the access table ------------------------------------------------

class World:
    """Owners (`*_a`), the unrelated callers (`*_b`) and shared objects, made on first use."""

    @functools.cached_property
    def customer_a(self) -> Account:
        return new_account(tag="owner-a")

    @functools.cached_property
    def customer_b(self) -> Account:
        return new_account(tag="other-b")

    @functools.cached_property
    def staff_a(self) -> Account:
        return new_staff("staff-a")

    @functools.cached_property
    def staff_b(self) -> Account:
        return new_staff("staff-b")

    @functools.cached_property
    def cafe_a(self) -> Cafe:
        return new_cafe("sec-a")

    @functools.cached_property
    def cafe_b(self) -> Cafe:
        return new_cafe("sec-b")

    @functools.cached_property
    def terminal_a(self) -> str:
        return terminal(self.cafe_a)["access_token"]

    @functools.cached_property
    def terminal_b(self) -> str:
        return terminal(self.cafe_b)["access_token"]

    @functools.cached_property
    def product(self) -> dict:
        product = new_product("sec")
        restock(self.cafe_a.id, product["id"], 500)
        return product

    @functools.cached_property
    def client_a(self) -> dict:
        """customer_a's client profile, names private."""
        return ticketing.profile(self.customer_a, first_name=f"Priv{uuid.uuid4().hex[:10]}",
                                 last_name=f"Ate{uuid.uuid4().hex[:10]}", is_name_public=False)

    def caller(self, role: str) -> str | None:
        """The unrelated caller's token for a role ("anonymous": none)."""
        return {"customer": lambda: self.customer_b.access_token, "staff": lambda: self.staff_b.access_token,
                "terminal": lambda: self.terminal_b, "anonymous": lambda: None}[role]()


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@dataclass
class Target:
    """A real object and how to address it."""
    values: dict[str, str]                       # path parameters
    owner: str | None                            # token of one who may do it (None: no control call)
    secrets: list[str]                           # its data the unrelated caller must not get
    body: Any = None
    params: dict | None = None
    state: Callable[[], Any] | None = None       # equal before and after the unrelated call
    secret_bytes: bytes | None = None            # e.g. an image's bytes


@dataclass
class Rule:
    make: Callable[[World], Target]
    callers: tuple[str, ...]                     # roles of the unrelated callers (World.caller)
    expect: frozenset[int] = frozenset(DENIED)   # {200} for public operations


def json_of(path: str, token: str | None = None) -> Any:
    response = get(path, token=token or admin_token())
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
    return response.json()


def status_of(path: str, token: str | None = None) -> int:
    return get(path, token=token).status_code


def hijacked() -> str:
    return f"E2E hijacked {uuid.uuid4().hex[:8]}"


# Factories, one per kind of object.

def session_target(w: World) -> Target:
    owner = new_account(tag="sessions")

    def state() -> int:
        time.sleep(1.2)  # a revocation reaches the gateway within a second
        return status_of(ME, owner.access_token)
    return Target({"id": owner.session_id}, owner.access_token, [owner.email], state=state)


def user_target(w: World, body: Any = None) -> Target:
    user = identity.register_account(f"E2E target {uuid.uuid4().hex[:8]}", tag="target")
    return Target({"id": user.id}, admin_token(), [user.email, user.name], body=body,
                  state=lambda: json_of(f"/api/admin/users/{user.id}"))


def product_target(w: World, *, inactive: bool = False, body: Any = None) -> Target:
    product = new_product("sec-target", description=f"secret recipe {uuid.uuid4().hex}")
    if inactive:
        commerce.deactivate_product(product["id"])
    return Target({"id": product["id"]}, admin_token(), [product["name"], product["description"]], body=body,
                  state=lambda: json_of(f"/api/products/{product['id']}"))


def cafe_target(w: World, body: Any = None) -> Target:
    cafe = new_cafe("sec-target")
    return Target({"id": cafe.id}, admin_token(), [cafe.code], body=body,
                  state=lambda: json_of(f"/api/locations/{cafe.id}"))


def stock_target(w: World, *, body: Callable[[World], Any] | None = None, owner: str = "terminal") -> Target:
    product = w.product
    token = w.terminal_a if owner == "terminal" else w.staff_a.access_token
    return Target({"id": w.cafe_a.id, "product_id": product["id"]}, token, [w.cafe_a.name],
                  body=body(w) if body else None,
                  state=lambda: commerce.quantity(w.cafe_a.id, product["id"]))


UNDONE = ("cancelled", "refund_pending", "refunded")  # what the unrelated caller must not bring about


def order_target(w: World, *, paid: bool = False, owner_is_admin: bool = False) -> Target:
    order = order_placed(w.customer_a.access_token, w.cafe_a.id, w.product["id"], 1)
    if paid:
        commerce.wait_for_order(order["id"], "paid")
    return Target({"id": order["id"]}, admin_token() if owner_is_admin else w.customer_a.access_token,
                  [w.customer_a.id, w.customer_a.email],
                  state=lambda: json_of(f"/api/orders/{order['id']}")["status"] in UNDONE)


def event_target(w: World, body: Any = None) -> Target:
    event, _ = ticketing.new_event(w.staff_a)
    return Target({"id": event["id"]}, w.staff_a.access_token, [w.staff_a.email], body=body,
                  state=lambda: json_of(f"/api/events/{event['id']}"))


def public_event(w: World) -> Target:
    event, _ = ticketing.new_event(w.staff_a)
    ticketing.new_packet(w.staff_a, [event["id"]])
    return Target({"id": event["id"]}, None, [w.staff_a.email])


def packet_target(w: World, *, update: bool = False, add: bool = False, remove: bool = False,
                  public: bool = False) -> Target:
    first, _ = ticketing.new_event(w.staff_a)
    second, _ = ticketing.new_event(w.staff_a)
    packet = ticketing.new_packet(w.staff_a, [first["id"]])
    values = {"id": packet["id"]}
    body: Any = {"name": hijacked(), "capacity": 2} if update else None
    if add:
        body = {"event_id": second["id"]}
    if remove:
        values["event_id"] = first["id"]

    def state() -> Any:
        events = json_of(f"/api/packets/{packet['id']}/events")["items"]
        return json_of(f"/api/packets/{packet['id']}"), [event["id"] for event in events]
    return Target(values, None if public else w.staff_a.access_token, [w.staff_a.email], body=body, state=state)


def ticket_target(w: World, *, owner: str = "holder") -> Target:
    event, _ = ticketing.new_event(w.staff_a)
    client = w.client_a
    bought = ticketing.buy(client["id"], w.customer_a.access_token, event_id=event["id"])
    assert bought.status_code == 201, f"buying a ticket: {bought.status_code} {bought.text}"
    code = bought.json()["code"]
    token = w.customer_a.access_token if owner == "holder" else w.staff_a.access_token
    return Target({"code": code}, token, [client["id"], client["first_name"], w.customer_a.email],
                  state=lambda: json_of(f"/api/tickets/{code}"))


def client_target(w: World, *, by_admin: bool = False, body: Any = None, public: bool = False) -> Target:
    if by_admin:
        response = post("/api/clients", token=admin_token(), json={
            "email": identity.unique_email("sec-client"), "first_name": f"Adm{uuid.uuid4().hex[:10]}"})
        assert response.status_code == 201, response.text
        client, owner = response.json(), admin_token()
    else:
        client, owner = w.client_a, w.customer_a.access_token
    secrets = [client["email"]] + ([client["first_name"]] if client.get("first_name") else [])
    if public:
        secrets.append(client["last_name"])
        owner = None
    return Target({"id": client["id"]}, owner, secrets, body=body,
                  state=lambda: json_of(f"/api/clients/{client['id']}"))


def purchase_target(w: World) -> Target:
    event, _ = ticketing.new_event(w.staff_a)
    client = w.client_a
    return Target({"id": client["id"]}, w.customer_a.access_token, [client["first_name"], w.customer_a.email],
                  body={"event_id": event["id"]},
                  state=lambda: len(json_of(f"/api/clients/{client['id']}")["tickets"]))


def png(size: tuple[int, int] = (16, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (uuid.uuid4().int % 256, 40, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def image_target(w: World) -> Target:
    owner = w.customer_a
    data, name = png(), f"private-{uuid.uuid4().hex[:12]}.png"
    response = post("/api/media/images", token=owner.access_token, data=data, headers={"Content-Type": "image/png"},
                    params={"file_name": name})
    assert response.status_code == 201, f"uploading: {response.status_code} {response.text}"
    image = response.json()

    def state() -> Any:
        response = get(f"/api/media/images/{image['id']}", token=owner.access_token)
        body = response.json()
        return response.status_code, {key: value for key, value in body.items() if key != "url"}
    return Target({"id": image["id"]}, owner.access_token, [name, owner.id], state=state, secret_bytes=data)


def web_traversal(w: World) -> Target:
    # A file of the repository next to the web assets: a traversal must not reach it.
    return Target({"file": "../../../../Package.swift"}, None, ["swift-tools-version", "PackageDescription"])


CUSTOMER_ONLY = ("customer",)
NON_ADMINS = ("customer", "staff")
NON_STAFF = ("customer", "terminal")
ANYONE = ("anonymous",)
PUBLIC = frozenset({200})

RULES: dict[str, Rule] = {
    "revokeSession": Rule(session_target, CUSTOMER_ONLY),
    "getUser": Rule(user_target, NON_ADMINS),
    "updateUser": Rule(lambda w: user_target(w, {"name": hijacked()}), NON_ADMINS),
    "deactivateUser": Rule(user_target, NON_ADMINS),
    "getProduct": Rule(lambda w: product_target(w, inactive=True), ("customer", "terminal", "anonymous")),
    "updateProduct": Rule(lambda w: product_target(w, body={"name": hijacked()}), NON_STAFF),
    "deactivateProduct": Rule(product_target, NON_STAFF),
    "getLocation": Rule(cafe_target, ANYONE, PUBLIC),
    "updateLocation": Rule(lambda w: cafe_target(w, {"name": hijacked(), "access_code": f"hijack-{uuid.uuid4().hex}"}),
                           ("customer", "staff", "terminal")),
    "deactivateLocation": Rule(cafe_target, ("customer", "staff", "terminal")),
    "getStock": Rule(stock_target, ("terminal", "customer")),
    "restock": Rule(lambda w: stock_target(w, body=lambda w: {"items": [{"product_id": w.product["id"], "quantity": 7}]}),
                    ("terminal", "customer")),
    "adjustStock": Rule(lambda w: stock_target(w, owner="staff", body=lambda w: {
        "product_id": w.product["id"], "delta": -1, "reason": "e2e access check"}), ("terminal", "customer")),
    "listMovements": Rule(stock_target, ("terminal", "customer")),
    "getTodaySales": Rule(stock_target, ("terminal", "customer")),
    "getOrder": Rule(order_target, ("customer", "terminal")),
    "cancelOrder": Rule(order_target, CUSTOMER_ONLY),
    "refundOrder": Rule(lambda w: order_target(w, paid=True, owner_is_admin=True), NON_ADMINS),
    "getEvent": Rule(public_event, ANYONE, PUBLIC),
    "updateEvent": Rule(lambda w: event_target(w, {"name": hijacked(), "capacity": 3}), ("staff", "customer")),
    "deleteEvent": Rule(event_target, ("staff", "customer")),
    "listPacketsOfEvent": Rule(public_event, ANYONE, PUBLIC),
    "getPacket": Rule(lambda w: packet_target(w, public=True), ANYONE, PUBLIC),
    "updatePacket": Rule(lambda w: packet_target(w, update=True), ("staff", "customer")),
    "deletePacket": Rule(packet_target, ("staff", "customer")),
    "listEventsOfPacket": Rule(lambda w: packet_target(w, public=True), ANYONE, PUBLIC),
    "addPacketEvent": Rule(lambda w: packet_target(w, add=True), ("staff", "customer")),
    "removePacketEvent": Rule(lambda w: packet_target(w, remove=True), ("staff", "customer")),
    "getTicket": Rule(ticket_target, ("customer", "staff")),
    "cancelTicket": Rule(ticket_target, ("customer", "staff")),
    "checkInTicket": Rule(lambda w: ticket_target(w, owner="event-owner"), ("customer", "staff")),
    "getClient": Rule(client_target, CUSTOMER_ONLY),
    "updateClient": Rule(lambda w: client_target(w, by_admin=True, body={"first_name": hijacked()}), NON_ADMINS),
    "deleteClient": Rule(lambda w: client_target(w, by_admin=True), NON_ADMINS),
    "getPublicClient": Rule(lambda w: client_target(w, public=True), ANYONE, PUBLIC),
    "buyTicket": Rule(purchase_target, CUSTOMER_ONLY),
    "getImage": Rule(image_target, CUSTOMER_ONLY),
    "deleteImage": Rule(image_target, CUSTOMER_ONLY),
    "readImage": Rule(image_target, ("customer", "anonymous")),
    "getWebAsset": Rule(web_traversal, ANYONE, frozenset({404})),
}

WITH_PATH_PARAMETERS = [op for op in contract.operations() if any(p["in"] == "path" for p in op.parameters())]


def leaked(response: requests.Response, target: Target) -> list[str]:
    text = response.content.decode("utf-8", "replace")
    found = [secret for secret in target.secrets if secret and secret in text]
    if target.secret_bytes and target.secret_bytes in response.content:
        found.append("the object's bytes")
    return found


def test_every_operation_with_a_path_parameter_has_a_rule() -> None:
    documented = {op.id for op in WITH_PATH_PARAMETERS}
    assert documented, "the document lists no operation with a path parameter"
    assert not set(RULES) - documented, f"rules for operations the document does not have: {sorted(set(RULES) - documented)}"


@pytest.mark.parametrize("op", WITH_PATH_PARAMETERS, ids=lambda op: op.id)
def test_an_unrelated_caller_cannot_reach_the_object(op: contract.Operation, world: World) -> None:
    rule = RULES.get(op.id)
    assert rule is not None, (
        f"{op.id} ({op.method} {op.path}) has a path parameter but no rule in test_security.RULES: "
        "add a factory that makes a real object and names who may and may not reach it")
    for role in rule.callers:
        target = rule.make(world)
        path = op.path_with(target.values)
        before = target.state() if target.state else None
        response = call(op.method, path, token=world.caller(role), json=target.body, params=target.params)
        assert response.status_code in rule.expect, (
            f"{op.id}: {op.method} {path} by an unrelated {role} answered {response.status_code}, "
            f"expected {sorted(rule.expect)}: {response.text[:300]}")
        if response.status_code >= 400:
            error_of(response, response.status_code)
        assert not leaked(response, target), f"{op.id}: the {role}'s answer contains {leaked(response, target)}"
        if target.state:
            assert target.state() == before, f"{op.id}: the {role}'s {op.method} changed the object"
        if target.owner is not None:
            # The same call by one who may make it is not refused: the refusal was about the caller.
            control = call(op.method, path, token=target.owner, json=target.body, params=target.params)
            assert control.status_code < 500 and control.status_code not in (401, 403, 404), (
                f"{op.id}: the owner's own {op.method} {path} answered {control.status_code}: {control.text[:300]}")


# --- injection ---------------------------------------------------------------------------------

@dataclass
class Probe:
    """How to make a valid request of an operation, and read back what it stored."""
    token: Callable[[World], str | None]
    body: Callable[[World], Any] = lambda w: None
    read_back: Callable[[World, dict, dict], dict] | None = None   # (world, response body, sent body) → stored
    stored: tuple[str, ...] = ()                                     # top-level fields read back exactly
    cleanup: Callable[[dict], None] | None = None
    refuse_2xx: bool = False                                         # e.g. a login with hostile credentials


@functools.cache
def profile_account() -> Account:
    return new_account(tag="inject")


def registered(w: World, created: dict, sent: dict) -> dict:
    stored = json_of(f"/api/admin/users/{created['id']}")
    if "password" in sent:
        identity.wait_for_credentials(sent["email"], sent["password"], timeout=15)
        stored["password"] = sent["password"]   # verified: the very password logs in
    return stored


def cafe_stored(w: World, created: dict, sent: dict) -> dict:
    stored = json_of(f"/api/locations/{created['id']}")
    response = commerce.terminal_login(created["id"], sent["access_code"])
    assert response.status_code == 200, (
        f"the café's access code {sent['access_code'][:40]!r} does not log in: {response.text}")
    stored["access_code"] = sent["access_code"]
    return stored


def deactivate(kind: str) -> Callable[[dict], None]:
    return lambda created: call("DELETE", f"/api/{kind}/{created['id']}", token=admin_token())


PROBES: dict[str, Probe] = {
    "register": Probe(lambda w: None, lambda w: {"email": identity.unique_email("inject"),
                                                 "password": f"e2e-inject-{uuid.uuid4().hex[:12]}", "name": "E2E inject"},
                      registered, ("email", "username", "name", "password")),
    "login": Probe(lambda w: None, lambda w: {"email": identity.unique_email("inject-login"), "password": "e2e-not-it-1"},
                   refuse_2xx=True),
    "updateOwnProfile": Probe(lambda w: profile_account().access_token, lambda w: {"name": "E2E inject"},
                              lambda w, created, sent: json_of("/api/users/me", profile_account().access_token),
                              ("username", "name")),
    "putMyClient": Probe(lambda w: profile_account().access_token, lambda w: {"first_name": "E2E", "last_name": "Inject"},
                         lambda w, created, sent: json_of("/api/clients/me", profile_account().access_token),
                         ("first_name", "last_name")),
    "createOrder": Probe(lambda w: w.customer_a.access_token,
                         lambda w: {"location_id": w.cafe_a.id, "items": [{"product_id": w.product["id"], "quantity": 1}]}),
    "createLocation": Probe(lambda w: admin_token(),
                            lambda w: {"name": f"E2E inject {uuid.uuid4().hex[:8]}", "address": "Inject road 1",
                                       "access_code": f"code-{uuid.uuid4().hex}"},
                            cafe_stored, ("name", "address", "access_code"), deactivate("locations")),
    "createProduct": Probe(lambda w: admin_token(),
                           lambda w: {"name": f"E2E inject {uuid.uuid4().hex[:8]}", "category": "e2e-inject",
                                      "price_cents": 120, "description": "plain"},
                           lambda w, created, sent: json_of(f"/api/products/{created['id']}"),
                           ("name", "category", "description"), deactivate("products")),
    "listUsers": Probe(lambda w: admin_token()),
    "listProducts": Probe(lambda w: None),
    "listEvents": Probe(lambda w: None),
    "listPackets": Probe(lambda w: None),
    "listClients": Probe(lambda w: admin_token()),
    "listOrders": Probe(lambda w: w.customer_a.access_token),
    "getLastConnection": Probe(lambda w: w.customer_a.access_token),
    "listImages": Probe(lambda w: w.customer_a.access_token),
}


def send(method: str, path: str, token: str | None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", None) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    headers.setdefault("X-Forwarded-For", fake_address())  # no login throttle between probes
    return requests.request(method, identity.url(path), headers=headers, timeout=30, **kwargs)


def dotted(path: tuple) -> str:
    return security.dotted(path) or "(body)"


def describe(response: requests.Response) -> str:
    return f"{response.status_code} {response.content[:200]!r}"


def judge_write(probe: Probe, w: World, name: str, path: tuple, sent: dict, value: Any,
                response: requests.Response) -> str | None:
    """None when the answer is acceptable, else what is wrong."""
    if response.status_code >= 500:
        return f"{dotted(path)}={name}: {describe(response)}"
    if response.status_code >= 400:
        return None
    if probe.refuse_2xx:
        return f"{dotted(path)}={name}: accepted ({describe(response)})"
    if value is None:  # not UTF-8: JSON must be UTF-8 (RFC 8259), so no 2xx
        return f"{dotted(path)}=not-utf8: accepted ({describe(response)})"
    created = response.json() if response.content else {}
    try:
        if probe.read_back and len(path) == 1 and path[0] in probe.stored:
            stored = probe.read_back(w, created, sent)
            got = stored.get(path[0])
            exact = got == value or (path[0] == "email" and isinstance(got, str) and got == value.lower())
            if not exact:
                return f"{dotted(path)}={name}: stored as {str(got)[:80]!r}"
    finally:
        if probe.cleanup and isinstance(created, dict) and "id" in created:
            probe.cleanup(created)
    return None


def judge_list(name: str, parameter: str, value: str | None, response: requests.Response) -> str | None:
    if response.status_code >= 500:
        return f"?{parameter}={name}: {describe(response)}"
    if response.status_code >= 400:
        return None
    body = response.json()
    items = body.get("items", [body]) if isinstance(body, dict) else body
    # A filter that answers must really filter: every item carries the value (an injection that
    # widened the query would answer everything).
    stray = [item for item in items
             if value is None or value.lower() not in json.dumps(item, ensure_ascii=False).lower()]
    if stray:
        return f"?{parameter}={name}: {len(stray)} item(s) that do not match it, e.g. {json.dumps(stray[0])[:200]}"
    return None


def data_intact(w: World, sentinel: Account, snapshot: dict) -> None:
    """The user list still answers, the sentinel user is unchanged and still logs in."""
    listed = get("/api/admin/users", token=admin_token(), params={"page_size": 1})
    assert listed.status_code == 200 and listed.json()["total"] >= snapshot["total"], listed.text[:300]
    assert json_of(f"/api/admin/users/{sentinel.id}") == snapshot["user"]
    identity.wait_for_credentials(sentinel.email, sentinel.password, timeout=5)
    assert json_of(f"/api/products/{w.product['id']}") == snapshot["product"]


@pytest.fixture(scope="module")
def sentinel(world: World) -> tuple[Account, dict]:
    account = identity.register_account("E2E sentinel", tag="sentinel")
    snapshot = {"user": json_of(f"/api/admin/users/{account.id}"),
                "total": get("/api/admin/users", token=admin_token(), params={"page_size": 1}).json()["total"],
                "product": json_of(f"/api/products/{world.product['id']}")}
    return account, snapshot


@pytest.mark.parametrize("operation_id", list(PROBES))
def test_hostile_strings_are_refused_or_stored_exactly(operation_id: str, world: World, sentinel) -> None:
    op, probe = contract.operation(operation_id), PROBES[operation_id]
    problems: list[str] = []
    path = op.path_with()
    fields = security.body_string_fields(op) if op.spec.get("requestBody") else []
    parameters = security.query_string_parameters(op)
    assert fields or parameters, f"{operation_id} has no string field to probe"
    for field_path in fields:
        for name, value in security.HOSTILE.items():
            sent = security.with_value(probe.body(world) or {}, field_path, value)
            response = send(op.method, path, probe.token(world), json=sent)
            problems.append(judge_write(probe, world, name, field_path, sent, value, response))
        sent = security.with_value(probe.body(world) or {}, field_path, security.PLACEHOLDER)
        raw = json.dumps(sent).encode().replace(security.PLACEHOLDER.encode(), security.NOT_UTF8)
        response = send(op.method, path, probe.token(world), data=raw,
                        headers={"Content-Type": "application/json"})
        problems.append(judge_write(probe, world, "not-utf8", field_path, sent, None, response))
    for parameter in parameters:
        for name, value in security.HOSTILE.items():
            response = send(op.method, path, probe.token(world), params={parameter: value})
            problems.append(judge_list(name, parameter, value, response))
        response = send(op.method, f"{path}?{parameter}=e2e%FF%FE", probe.token(world))
        problems.append(judge_list("not-utf8", parameter, None, response))
    account, snapshot = sentinel
    data_intact(world, account, snapshot)
    problems = [problem for problem in problems if problem]
    assert not problems, f"{operation_id}: " + "\n  ".join(problems)


# --- limits of the edge --------------------------------------------------------------------------

def assert_error(response: security.RawResponse | requests.Response, status: int, code: str) -> dict:
    status_code = response.status if isinstance(response, security.RawResponse) else response.status_code
    body = response.json()
    assert status_code == status, f"expected {status}, got {status_code}: {body}"
    contract.assert_valid(body, "Error")
    assert body["error"]["code"] == code, body
    return body


def test_a_declared_oversized_body_is_413_before_it_is_read() -> None:
    head = (b"POST /api/auth/register HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n"
            b"Content-Length: 12000000\r\n\r\n{\"em")
    response = security.send_raw(head, timeout=5)
    assert response.seconds < 2.0, f"the 413 took {response.seconds:.1f} s: the body was waited for"
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    assert_error(response, 413, "payload_too_large")
    assert response.headers.get("x-request-id"), response.headers


@pytest.mark.parametrize("size", [20_000, 70_000, 200_000])
@pytest.mark.parametrize("path", ["/api/products", "/health"])
def test_headers_over_16_kib_are_431(path: str, size: int) -> None:
    response = requests.get(identity.url(path), headers={"X-E2E-Large": "a" * size}, timeout=10)
    assert response.status_code == 431, f"GET {path} with a {size}-byte header: {response.status_code} {response.text[:200]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    assert_error(response, 431, "headers_too_large")


def test_an_8_kb_header_is_served() -> None:
    response = get("/api/products", params={"page_size": 1}, headers={"X-E2E-Large": "a" * 8_000})
    assert response.status_code == 200, response.text[:300]


def wrong_method(path: str) -> tuple[str, set[str]]:
    documented = {method.upper() for method in contract.DOCUMENT["paths"][path] if method in contract.HTTP_METHODS}
    return next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in documented), documented


@pytest.mark.parametrize("template", list(contract.DOCUMENT["paths"]))
def test_a_wrong_method_on_a_documented_path_is_405_with_allow(template: str) -> None:
    method, documented = wrong_method(template)
    op = next(op for op in contract.operations() if op.path == template)
    path = op.path_with({"file": "app.js"})
    response = call(method, path, json={})
    error_of(response, 405, "method_not_allowed")
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed == documented, (
        f"{method} {path}: Allow {response.headers.get('Allow')!r}, documented {sorted(documented)}")


def test_an_unknown_path_is_404() -> None:
    error_of(call("DELETE", "/api/e2e-no-such-route/x"), 404, "not_found")


IDLE_CONNECTIONS = 1_000


def test_a_thousand_idle_connections_do_not_stop_service() -> None:
    limit = security.raise_open_files_limit(IDLE_CONNECTIONS + 512)
    assert limit >= IDLE_CONNECTIONS + 100, f"cannot open {IDLE_CONNECTIONS} sockets: RLIMIT_NOFILE is {limit}"
    account = identity.register_account(tag="idle")
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(security.GATEWAY_ADDRESS, timeout=5))
        started = time.monotonic()
        health = requests.get(identity.url("/health"), timeout=5)
        health_seconds = time.monotonic() - started
        started = time.monotonic()
        login = identity.login(account.email, account.password)
        login_seconds = time.monotonic() - started
    finally:
        for sock in idle:
            sock.close()
    assert health.status_code == 200 and health_seconds < 1.0, f"/health: {health.status_code} in {health_seconds:.2f} s"
    assert login.status_code == 200 and login_seconds < 3.0, f"login: {login.status_code} in {login_seconds:.2f} s"


def test_a_request_head_trickling_in_is_cut_off_after_the_idle_timeout() -> None:
    head = b"GET /health HTTP/1.1\r\nHost: e2e\r\nX-E2E-Slow: " + b"a" * 100
    sock = security.connect()
    started = time.monotonic()
    received, closed_after = b"", None
    try:
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            sock.settimeout(1.0)
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    closed_after = time.monotonic() - started
                    break
                received += chunk
            except socket.timeout:
                pass
            except OSError:
                closed_after = time.monotonic() - started
                break
            if time.monotonic() - started > 35:
                break
    finally:
        sock.close()
    assert closed_after is not None, f"still open after {time.monotonic() - started:.0f} s of a trickling head"
    assert 20 <= closed_after <= 30, f"closed after {closed_after:.1f} s (idle timeout 20 s)"
    assert not received.startswith(b"HTTP/1.1 2"), f"the trickling request was served: {received[:200]!r}"


# --- exposure ----------------------------------------------------------------------------------

def forged_admin(account: Account) -> str:
    header, payload, signature = identity.jwt_segments(account.access_token)
    return identity.forge(header, {**payload, "roles": ["admin"]}, signature)


def test_metrics_on_the_public_port_are_for_admins_only(world: World) -> None:
    customer = world.customer_b
    for who, token in (("no token", None), ("a customer", customer.access_token),
                       ("a forged admin token", forged_admin(customer))):
        response = call("GET", "/metrics", token=token)
        assert response.status_code == 404, f"/metrics for {who}: {response.status_code}"
        error_of(response, 404, "not_found")
        assert "# TYPE" not in response.text and "# HELP" not in response.text, response.text[:300]
    response = get("/metrics", token=admin_token())
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/plain"), response.headers
    assert "# TYPE " in response.text


def test_ready_details_are_for_admins_only(world: World) -> None:
    for token in (None, world.customer_b.access_token):
        body = get("/ready", token=token).json()
        assert body["status"] and "checks" not in body, body
    body = get("/ready", token=admin_token()).json()
    assert body["status"] and isinstance(body.get("checks"), dict) and body["checks"], body


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "gateway"])
def test_internal_ops_ports_still_serve_metrics(service: str) -> None:
    response = stack.get(service, "/metrics")
    assert response.status_code == 200, f"{service}: {response.status_code}"
    assert "# TYPE " in response.text


# --- tokens ------------------------------------------------------------------------------------

RACES = 10


def refresh_race(refresh_token: str) -> list[requests.Response]:
    """Two refreshes with the same token, released at the same moment on warmed connections."""
    barrier = threading.Barrier(2)
    sessions = [requests.Session() for _ in range(2)]
    for session in sessions:
        session.get(identity.url("/health"), timeout=5)
    results: list[requests.Response | None] = [None, None]

    def refresh(index: int) -> None:
        barrier.wait(timeout=10)
        results[index] = sessions[index].post(
            identity.url("/api/auth/refresh"), json={"refresh_token": refresh_token},
            headers={"X-Forwarded-For": fake_address()}, timeout=10, hooks={"response": identity.check_response})

    threads = [threading.Thread(target=refresh, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    for session in sessions:
        session.close()
    assert all(result is not None for result in results), "a refresh did not finish"
    return results  # type: ignore[return-value]


def test_a_refresh_token_spent_twice_at_once_wins_once_and_ends_the_session() -> None:
    account = identity.register_account(tag="race")
    for attempt in range(RACES):
        pair = identity.login_tokens(account)
        responses = refresh_race(pair["refresh_token"])
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 401], f"race {attempt}: {statuses} {[r.text[:200] for r in responses]}"
        winner = next(response for response in responses if response.status_code == 200).json()
        error_of(next(response for response in responses if response.status_code == 401), 401)
        # The spent token was presented again: the whole session ends, the winner's pair included.
        refused_within(ME, winner["access_token"])
        refused_within(ME, pair["access_token"])
        error_of(post("/api/auth/refresh", json={"refresh_token": winner["refresh_token"]}, address=fake_address()), 401)


@pytest.fixture(scope="module")
def genuine(world: World) -> dict:
    account = world.customer_b
    header, payload, signature = identity.jwt_segments(account.access_token)
    return {"account": account, "header": header, "payload": payload, "signature": signature}


def extra_forgeries(genuine: dict) -> dict[str, str]:
    """Forgeries test_identity_rest.py does not try: correctly signed tokens under a key of our
    own (with the platform's kid, or naming our key in the header), other algorithms with the
    genuine signature, hostile kids, and the refresh token as a bearer token."""
    header, payload, signature = genuine["header"], genuine["payload"], genuine["signature"]
    key = security.new_key()
    ours = security.public_jwk(key, "e2e-attacker")
    return {
        "es256-own-key-platform-kid": security.es256_token(header, {**payload, "roles": ["admin"]}, key),
        "es256-embedded-jwk": security.es256_token({**header, "kid": "e2e-attacker", "jwk": ours}, payload, key),
        "es256-embedded-jwk-platform-kid": security.es256_token(
            {**header, "jwk": {**ours, "kid": header["kid"]}}, payload, key),
        "es256-jku": security.es256_token(
            {**header, "kid": "e2e-attacker", "jku": "http://127.0.0.1:9/jwks.json"}, payload, key),
        "es256-x5u": security.es256_token(
            {**header, "kid": "e2e-attacker", "x5u": "http://127.0.0.1:9/cert.pem"}, payload, key),
        "alg-RS256-genuine-signature": identity.forge({**header, "alg": "RS256"}, payload, signature),
        "alg-ES384-genuine-signature": identity.forge({**header, "alg": "ES384"}, payload, signature),
        "alg-PS256-genuine-signature": identity.forge({**header, "alg": "PS256"}, payload, signature),
        "kid-path-traversal-hs256-empty": identity.hs256_token(
            {**header, "alg": "HS256", "kid": "../../../../../../dev/null"}, payload, b""),
        "kid-sql-injection": identity.forge({**header, "kid": f"x' UNION SELECT '{header['kid']}"}, payload, signature),
        "refresh-token-as-bearer": genuine["account"].refresh_token,
    }


EXTRA_FORGERIES = [
    "es256-own-key-platform-kid", "es256-embedded-jwk", "es256-embedded-jwk-platform-kid", "es256-jku", "es256-x5u",
    "alg-RS256-genuine-signature", "alg-ES384-genuine-signature", "alg-PS256-genuine-signature",
    "kid-path-traversal-hs256-empty", "kid-sql-injection", "refresh-token-as-bearer",
]


def test_the_extra_forgeries_are_the_listed_ones(genuine: dict) -> None:
    assert get(ME, token=genuine["account"].access_token).status_code == 200
    assert set(extra_forgeries(genuine)) == set(EXTRA_FORGERIES)


@pytest.mark.parametrize("name", EXTRA_FORGERIES)
def test_tokens_forged_otherwise_are_refused(genuine: dict, name: str) -> None:
    token = extra_forgeries(genuine)[name]
    assert token and token != genuine["account"].access_token
    error_of(get(ME, token=token), 401, "unauthenticated")
    # Nor do they reach an admin route.
    assert get("/api/admin/users", token=token).status_code == 401


def test_an_access_token_in_the_query_string_is_not_accepted(genuine: dict) -> None:
    error_of(get(ME, params={"access_token": genuine["account"].access_token}), 401, "unauthenticated")
