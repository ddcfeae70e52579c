"""Café terminals, access codes and who may call which commerce route, end to end through the
gateway (issue 9: "Cafés", "Terminal login", the role matrix and the access-code scan).

Every access code these tests create is registered with `identity.remember_secret`, so
`identity.check_response` fails any response of any test that contains one (or a bcrypt hash);
the scan test below makes sure every commerce route was actually called with such codes around.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
import requests

import commerce
import contract
import identity
from commerce import Cafe, admin_token, new_cafe, new_product, new_staff, order_placed, place, restock
from identity import call, delete, error_of, fake_address, get, jwt_segments, new_account, patch, post

# idm's defaults (IDM_LOGIN_FAILURES_PER_ACCOUNT, IDM_LOGIN_FAILURES_PER_ADDRESS), which the test
# stack keeps: a café counts as the account of its terminals' logins.
FAILURES_PER_CAFE = 5
FAILURES_PER_ADDRESS = 20
REFUSED_WITHIN = 2.0  # seconds: "refused within a second", with slack for a busy machine
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


@pytest.fixture(autouse=True)
def retired_products():
    """The products a test made leave the menu after it."""
    yield
    commerce.retire_products()


def terminal_token(cafe: Cafe) -> str:
    return commerce.terminal(cafe)["access_token"]


# --- terminal login ----------------------------------------------------------------------------

def test_terminal_login_gives_a_terminal_token_of_the_cafe() -> None:
    cafe = new_cafe("login")
    pair = commerce.terminal(cafe)
    identity.assert_token_pair(pair)
    claims = jwt_segments(pair["access_token"])[1]
    assert claims["roles"] == ["terminal"] and claims["location_id"] == cafe.id, claims
    stock = get(f"/api/locations/{cafe.id}/stock", token=pair["access_token"])
    assert stock.status_code == 200, stock.text


def test_a_wrong_code_an_unknown_and_an_inactive_cafe_are_the_same_401() -> None:
    """Nothing tells a guesser whether the café exists or is active: the same 401 body."""
    cafe, closed = new_cafe("same401"), new_cafe("same401-closed")
    assert delete(f"/api/locations/{closed.id}", token=admin_token()).status_code == 204
    answers = {
        "wrong code": commerce.terminal_login(cafe.id, commerce.new_code()),
        "unknown café": commerce.terminal_login(str(uuid.uuid4()), cafe.code),
        "inactive café": commerce.terminal_login(closed.id, closed.code),
    }
    errors = {what: error_of(response, 401, "unauthenticated") for what, response in answers.items()}
    assert len({repr(sorted(error.items())) for error in errors.values()}) == 1, errors


def test_terminal_login_is_throttled_per_cafe() -> None:
    """After the allowed failures against a café, even the right code is 429 there, from any
    address, while another café still logs in from those same addresses."""
    cafe, other = new_cafe("throttle"), new_cafe("throttle-other")
    addresses = [fake_address() for _ in range(FAILURES_PER_CAFE + 1)]
    for address in addresses[:FAILURES_PER_CAFE]:
        error_of(commerce.terminal_login(cafe.id, commerce.new_code(), address=address), 401)
    throttled = commerce.terminal_login(cafe.id, cafe.code, address=addresses[-1])
    error = error_of(throttled, 429, "resource_exhausted")
    assert error["details"]["retry_after_seconds"].isdigit(), error
    for address in addresses:
        assert commerce.terminal_login(other.id, other.code, address=address).status_code == 200


def test_terminal_login_is_throttled_per_address() -> None:
    """After the allowed failures from one address (each against another café), that address is
    429 even with a right code, which still works from another address."""
    cafe = new_cafe("throttle-address")
    address = fake_address()
    for _ in range(FAILURES_PER_ADDRESS):
        error_of(commerce.terminal_login(str(uuid.uuid4()), commerce.new_code(), address=address), 401)
    error_of(commerce.terminal_login(cafe.id, cafe.code, address=address), 429, "resource_exhausted")
    assert commerce.terminal_login(cafe.id, cafe.code).status_code == 200


# --- what a terminal may do --------------------------------------------------------------------

def test_a_terminal_works_at_its_own_cafe_only() -> None:
    """A terminal of café A restocks, reads stock and sells at A (without naming it), sees A's
    orders only; at café B every stock route and ordering is 403, B's orders are invisible (404,
    empty lists), and it cannot cancel."""
    a, b = new_cafe("own-a"), new_cafe("own-b")
    product = new_product("own")
    restock(a.id, product["id"], 10)
    restock(b.id, product["id"], 10)
    token = terminal_token(a)
    customer = new_account(tag="own")
    at_b = order_placed(customer.access_token, b.id, product["id"])

    for method, path, body in [
        ("POST", f"/api/locations/{b.id}/restock", {"items": [{"product_id": product["id"], "quantity": 1}]}),
        ("GET", f"/api/locations/{b.id}/stock", None),
        ("GET", f"/api/locations/{b.id}/stock/{product['id']}/movements", None),
        ("POST", "/api/orders", {"location_id": b.id, "items": [{"product_id": product["id"], "quantity": 1}]}),
    ]:
        error_of(call(method, path, token=token, json=body), 403, "permission_denied")
    assert commerce.quantity(b.id, product["id"]) == 9

    line = restock(a.id, product["id"], 5, token=token)
    assert line["quantity"] == 15
    response = place(token, None, [(product["id"], 2)])
    assert response.status_code == 201, response.text
    sale = response.json()
    assert sale["location_id"] == a.id and sale["user_id"] is None, sale
    named = place(token, a.id, [(product["id"], 1)])
    assert named.status_code == 201, named.text
    assert commerce.stock_line(a.id, product["id"], token=token)["quantity"] == 12
    assert get(f"/api/locations/{a.id}/stock/{product['id']}/movements", token=token).status_code == 200

    assert commerce.wait_for_order(sale["id"], "paid", token=token)["location_id"] == a.id
    error_of(get(f"/api/orders/{at_b['id']}", token=token), 404, "not_found")
    mine = get("/api/orders", token=token, params={"page_size": 100})
    assert mine.status_code == 200, mine.text
    assert {o["id"] for o in mine.json()["items"]} == {sale["id"], named.json()["id"]}, mine.text
    assert mine.json()["total"] == 2
    theirs = get("/api/orders", token=token, params={"location_id": b.id})
    assert theirs.status_code == 200 and theirs.json()["items"] == [] and theirs.json()["total"] == 0, theirs.text
    error_of(post(f"/api/orders/{sale['id']}/cancel", token=token), 403, "permission_denied")
    error_of(post(f"/api/locations/{a.id}/stock-adjustments", token=token,
                  json={"product_id": product["id"], "delta": -1, "reason": "waste"}), 403, "permission_denied")


NOT_FOR_TERMINALS = [op for op in contract.operations() if op.needs_token and not op.admits({"terminal"})]


@pytest.fixture(scope="module")
def a_terminal() -> str:
    return terminal_token(new_cafe("not-for-terminals"))


@pytest.mark.parametrize("op", NOT_FOR_TERMINALS, ids=lambda op: op.id)
def test_a_terminal_is_403_where_the_document_does_not_admit_it(op: contract.Operation, a_terminal: str) -> None:
    """A terminal's token is admitted only where an operation's `security` names `terminal`:
    every other operation that needs a token (admin routes, the user's own profile, sessions,
    password, and the commerce routes of staff) refuses it with 403, a status it documents."""
    response = call(op.method, op.path_with(), token=a_terminal, params=op.example_query(), json=op.example_body())
    error_of(response, 403, "permission_denied")


# --- a new code or a closed café ends terminal sessions ----------------------------------------

@pytest.mark.parametrize("change", ["new access_code", "active false", "DELETE"])
def test_a_new_code_or_a_closed_cafe_ends_its_terminal_sessions(change: str) -> None:
    """Within a second the terminal's access token is refused (401) and its refresh token is
    spent; the other café's terminal is untouched."""
    cafe, bystander = new_cafe("revoke"), new_cafe("revoke-bystander")
    pair, other = commerce.terminal(cafe), commerce.terminal(bystander)
    stock = f"/api/locations/{cafe.id}/stock"
    assert get(stock, token=pair["access_token"]).status_code == 200

    if change == "DELETE":
        response = delete(f"/api/locations/{cafe.id}", token=admin_token())
        assert response.status_code == 204, response.text
    else:
        new_code = commerce.new_code()
        body = {"access_code": new_code} if change == "new access_code" else {"active": False}
        response = patch(f"/api/locations/{cafe.id}", token=admin_token(), json=body)
        assert response.status_code == 200, response.text
        assert response.json()["active"] is (change == "new access_code")

    identity.refused_within(stock, pair["access_token"], seconds=REFUSED_WITHIN)
    error_of(post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401, "unauthenticated")
    error_of(commerce.terminal_login(cafe.id, cafe.code), 401, "unauthenticated")
    if change == "new access_code":
        assert commerce.terminal_login(cafe.id, new_code).status_code == 200
    assert get(f"/api/locations/{bystander.id}/stock", token=other["access_token"]).status_code == 200


# --- no response carries an access code --------------------------------------------------------

COMMERCE_TAGS = commerce.COMMERCE_TAGS
COMMERCE_OPERATIONS = sorted(op.id for op in contract.operations()
                             if COMMERCE_TAGS & set(op.spec.get("tags", [])) or op.id == "terminalLogin")


def test_no_commerce_response_contains_an_access_code() -> None:
    """Every commerce route of the document (and terminal login, right and wrong) is called while
    cafés with known codes exist, including the responses to creating and re-coding a café and a
    422 for a code too long; no body contains any code, nor a bcrypt hash."""
    codes = [commerce.new_code() for _ in range(3)]
    cafes = [new_cafe(f"scan{i}", code=code) for i, code in enumerate(codes)]
    too_long = identity.remember_secret("L" * 65)
    staff, customer = new_staff("scan"), new_account(tag="scan")
    product = new_product("scan")
    restock(cafes[0].id, product["id"], 20)
    seen: set[str] = set()

    def scan(response: requests.Response) -> requests.Response:
        op = contract.operation_for(response.request.method, urlsplit(response.url).path)
        if op is not None:
            seen.add(op.id)
        text = response.text
        for secret in [*codes, too_long, *(c.code for c in cafes)]:
            assert secret not in text, f"{response.request.method} {response.url}: the body contains an access code"
        for prefix in BCRYPT_PREFIXES:
            assert prefix not in text, f"{response.request.method} {response.url}: the body contains a bcrypt hash"
        return response

    admin = admin_token()
    cafe = cafes[0]
    pair = scan(commerce.terminal_login(cafe.id, cafe.code)).json()
    scan(commerce.terminal_login(cafe.id, commerce.new_code()))
    terminal = pair["access_token"]
    recoded = commerce.new_code()
    for token in (None, customer.access_token, staff.access_token, admin, terminal):
        scan(get("/api/locations", token=token))
        scan(get(f"/api/locations/{cafe.id}", token=token))
        scan(get("/api/products", token=token))
        scan(get(f"/api/products/{product['id']}", token=token))
        scan(get("/api/categories", token=token))
    created = scan(post("/api/locations", token=admin, json={"name": f"E2E scan {uuid.uuid4().hex[:8]}",
                                                              "address": "scan street", "access_code": codes[2] + "x"}))
    assert created.status_code == 201, created.text
    scan(post("/api/locations", token=admin, json={"name": "E2E scan long", "address": "x", "access_code": too_long}))
    scan(patch(f"/api/locations/{cafes[1].id}", token=admin, json={"access_code": recoded, "name": "E2E scan renamed"}))
    scan(patch(f"/api/locations/{cafes[1].id}", token=admin, json={"access_code": too_long}))
    scan(delete(f"/api/locations/{cafes[2].id}", token=admin))
    new = scan(post("/api/products", token=staff.access_token,
                    json={"name": f"E2E scan {uuid.uuid4().hex[:8]}", "category": "e2e-scan", "price_cents": 10}))
    scan(patch(f"/api/products/{new.json()['id']}", token=staff.access_token, json={"price_cents": 11}))
    scan(delete(f"/api/products/{new.json()['id']}", token=staff.access_token))
    for token in (staff.access_token, admin, terminal):
        scan(get(f"/api/locations/{cafe.id}/stock", token=token))
        scan(get(f"/api/locations/{cafe.id}/stock/{product['id']}/movements", token=token))
        scan(post(f"/api/locations/{cafe.id}/restock", token=token,
                  json={"items": [{"product_id": product["id"], "quantity": 1}]}))
    scan(post(f"/api/locations/{cafe.id}/stock-adjustments", token=staff.access_token,
              json={"product_id": product["id"], "delta": -1, "reason": "count"}))
    paid = scan(place(customer.access_token, cafe.id, [(product["id"], 1)])).json()
    pending = scan(place(terminal, None, [(product["id"], 1)])).json()
    to_cancel = scan(place(customer.access_token, cafe.id, [(product["id"], 1)])).json()
    scan(post(f"/api/orders/{to_cancel['id']}/cancel", token=customer.access_token))
    commerce.wait_for_order(paid["id"], "paid")
    scan(post(f"/api/admin/orders/{paid['id']}/refund", token=admin))
    commerce.wait_for_order(pending["id"])
    for token in (customer.access_token, staff.access_token, admin, terminal):
        scan(get("/api/orders", token=token))
        scan(get(f"/api/orders/{pending['id']}", token=token))
    scan(get("/api/admin/payments", token=admin))

    missing = sorted(set(COMMERCE_OPERATIONS) - seen)
    assert not missing, f"commerce operations of the document this scan did not call: {missing}"


# --- the role matrix ---------------------------------------------------------------------------

ROLES = ("customer", "staff", "admin", "terminal")
MATRIX_OPERATIONS = sorted(
    op.id for op in contract.operations()
    if COMMERCE_TAGS & set(op.spec.get("tags", [])) and (op.method != "GET" or op.id == "listPayments"))


def documented_roles(op: contract.Operation) -> set[str]:
    """The roles whose token one of the operation's security alternatives admits."""
    return {role for role in ROLES if op.admits({role})}


class Matrix:
    """What each route is called with, per role: fresh objects for each call so no call changes
    what another one meets (a product deleted by staff is not the one admin deletes)."""

    def __init__(self) -> None:
        self.cafe = new_cafe("matrix")
        self.product = new_product("matrix")
        restock(self.cafe.id, self.product["id"], 200)
        self.owner = new_account(tag="matrix-owner")
        self.tokens: dict[str, str | None] = {
            "customer": self.owner.access_token, "staff": new_staff("matrix").access_token,
            "admin": admin_token(), "terminal": terminal_token(self.cafe), "none": None}

    def order(self) -> dict:
        return order_placed(self.owner.access_token, self.cafe.id, self.product["id"])

    def paid_order(self) -> dict:
        order = self.order()
        commerce.wait_for_order(order["id"], "paid")
        return order

    def request(self, operation_id: str) -> tuple[str, dict | None]:
        """(path, JSON body) of a call that the operation's allowed roles may make successfully."""
        cafe, product = self.cafe.id, self.product["id"]
        line = {"product_id": product, "quantity": 1}
        fresh = f"E2E matrix {uuid.uuid4().hex[:10]}"
        match operation_id:
            case "createProduct":
                return "/api/products", {"name": fresh, "category": "e2e-matrix", "price_cents": 100}
            case "updateProduct":
                return f"/api/products/{product}", {"description": fresh}
            case "deactivateProduct":
                return f"/api/products/{new_product('matrix-gone')['id']}", None
            case "createLocation":
                return "/api/locations", {"name": fresh, "address": "matrix street", "access_code": commerce.new_code()}
            case "updateLocation":
                return f"/api/locations/{new_cafe('matrix-edit').id}", {"name": fresh}
            case "deactivateLocation":
                return f"/api/locations/{new_cafe('matrix-gone').id}", None
            case "restock":
                return f"/api/locations/{cafe}/restock", {"items": [line]}
            case "adjustStock":
                return f"/api/locations/{cafe}/stock-adjustments", {"product_id": product, "delta": 1, "reason": "count"}
            case "createOrder":
                return "/api/orders", {"location_id": cafe, "items": [line]}
            case "cancelOrder":
                return f"/api/orders/{self.order()['id']}/cancel", None
            case "refundOrder":
                return f"/api/admin/orders/{self.paid_order()['id']}/refund", None
            case "listPayments":
                return "/api/admin/payments", None
        raise AssertionError(f"the role matrix has no request for {operation_id}: add one")


# An allowed call may still meet a state it cannot change: the owner's cancel races the payment.
ALSO_ALLOWED = {"cancelOrder": {409}}


def test_the_role_matrix_of_every_commerce_write_route_matches_the_document() -> None:
    """Every write route of the commerce tags (and the admin payment list) is called by a customer,
    staff, an admin, a terminal (at its own café) and without a token: no token is 401, a role the
    operation's `security` does not admit is 403, an admitted one succeeds (2xx)."""
    matrix = Matrix()
    problems = []
    table = []
    for operation_id in MATRIX_OPERATIONS:
        op = contract.operation(operation_id)
        allowed = documented_roles(op)
        for role, token in matrix.tokens.items():
            path, body = matrix.request(operation_id)
            response = call(op.method, path, token=token, json=body)
            status = response.status_code
            table.append(f"{operation_id:18} {role:9} {status}")
            if role == "none":
                expected = "401"
                ok = status == 401
            elif role in allowed:
                expected = "2xx"
                ok = 200 <= status < 300 or status in ALSO_ALLOWED.get(operation_id, set())
            else:
                expected = "403"
                ok = status == 403
            if not ok:
                problems.append(f"{op.method} {op.path} ({operation_id}) as {role}: {status}, expected {expected} "
                                f"(documented roles {sorted(allowed)}): {response.text[:200]}")
    assert not problems, "\n".join(problems) + "\n\nall calls:\n" + "\n".join(table)
