"""Orders and the menu through the gateway, end to end on the running stack (issue 9: "Menu",
"Stock", "Orders", "Payment and the saga").

Every response is also held to Services/Gateway/API/openapi.yaml and scanned for leaks by
`identity.check_response`, so these tests assert only what the document cannot say: counts,
amounts, stock levels and the states orders reach. Each test makes its own café and products.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

import commerce
from commerce import (
    admin_token, get_order, new_cafe, new_customers, new_product, new_staff, order_placed, payments_for, place,
    quantity, restock, utc_now, wait_for_order,
)
from identity import details_of, error_of, get, new_account, patch, post

SHORT = re.compile(r"^only (\d+) left$")


@pytest.fixture(autouse=True)
def retired_products():
    """The products a test made leave the menu after it."""
    yield
    commerce.retire_products()


def cancel(order_id: str, token: str):
    return post(f"/api/orders/{order_id}/cancel", token=token)


# --- the rush: never oversold ------------------------------------------------------------------

def test_100_concurrent_orders_for_50_in_stock_sell_exactly_50() -> None:
    """100 concurrent one-unit orders against a stock of 50: 50 are taken (and all get paid), 50
    are refused with 409 naming the product and what is left; the stock ends at 0 and its history
    is a restock of 50 followed by 50 sales of one, never below 0."""
    cafe, product = new_cafe("rush"), new_product("rush")
    restock(cafe.id, product["id"], 50)
    buyers = new_customers(10, "rush")

    def buy(index: int):
        return place(buyers[index % len(buyers)].access_token, cafe.id, [(product["id"], 1)], timeout=30)

    with ThreadPoolExecutor(max_workers=32) as pool:
        responses = list(pool.map(buy, range(100)))
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 50, 409: 50}, f"statuses: {dict(statuses)}"

    for refused in (r for r in responses if r.status_code == 409):
        details = error_of(refused, 409, "failed_precondition").get("details")
        assert details and set(details) == {product["id"]}, f"the 409 must name the short product: {refused.text}"
        left = SHORT.match(details[product["id"]])
        assert left and int(left.group(1)) == 0, f"what is left of a sold-out product: {refused.text}"

    created = {r.json()["id"] for r in responses if r.status_code == 201}
    settled = commerce.wait_for_orders(created)
    assert Counter(order["status"] for order in settled.values()) == {"paid": 50}

    assert quantity(cafe.id, product["id"]) == 0
    history = commerce.movements(cafe.id, product["id"])
    commerce.assert_history_consistent(history, final=0)
    assert [(m["kind"], m["delta"]) for m in history[:1]] == [("restock", 50)], history[:1]
    sales = history[1:]
    assert all((m["kind"], m["delta"]) == ("sale", -1) for m in sales), sales
    assert {m["order_id"] for m in sales} == created and len(sales) == 50


# --- payment outcomes --------------------------------------------------------------------------

@pytest.mark.parametrize(("payment_token", "reason"), [
    ("tok_declined", "card_declined"),
    ("tok_insufficient_funds", "insufficient_funds"),
    ("tok_e2e_bogus", "invalid_token"),
])
def test_a_refused_payment_fails_the_order_and_gives_the_stock_back(payment_token: str, reason: str) -> None:
    """The token decides the simulated processor's answer: the order ends `payment_failed` with
    the reason, its stock is released (sale then release in the history), the payment row is
    `failed` with the same reason."""
    cafe, product = new_cafe("decline"), new_product("decline", price_cents=420)
    restock(cafe.id, product["id"], 5)
    since = utc_now()
    buyer = new_account(tag="decline")
    order = order_placed(buyer.access_token, cafe.id, product["id"], 2, payment_token=payment_token)

    failed = wait_for_order(order["id"], token=buyer.access_token)
    assert failed["status"] == "payment_failed", failed
    assert failed["payment"]["status"] == "failed" and failed["payment"]["failure_reason"] == reason, failed
    assert failed["payment"]["amount_cents"] == 840, failed
    assert quantity(cafe.id, product["id"]) == 5

    history = commerce.movements(cafe.id, product["id"])
    commerce.assert_history_consistent(history, final=5)
    assert [(m["kind"], m["delta"], m["order_id"]) for m in history] == [
        ("restock", 5, None), ("sale", -2, order["id"]), ("release", 2, order["id"])]

    (row,) = payments_for([order["id"]], since)[order["id"]]
    assert (row["status"], row["failure_reason"], row["amount_cents"]) == ("failed", reason, 840), row


# --- cancellation ------------------------------------------------------------------------------

def test_cancel_needs_a_pending_order_of_ones_own() -> None:
    """A paid order cannot be cancelled (409, stock untouched); another customer's cancel is 404,
    like an order that does not exist."""
    cafe, product = new_cafe("cancel409"), new_product("cancel409")
    restock(cafe.id, product["id"], 10)
    owner, other = new_customers(2, "cancel409")
    order = order_placed(owner.access_token, cafe.id, product["id"], 3)

    error_of(cancel(order["id"], other.access_token), 404, "not_found")
    assert wait_for_order(order["id"], token=owner.access_token)["status"] == "paid"
    error_of(cancel(order["id"], other.access_token), 404, "not_found")
    error_of(cancel(order["id"], owner.access_token), 409, "failed_precondition")
    assert get_order(order["id"])["status"] == "paid"
    assert quantity(cafe.id, product["id"]) == 7


# --- what the request may and may not decide ---------------------------------------------------

def test_an_idempotency_key_replay_returns_the_first_order() -> None:
    """The same key from the same caller: the same order (id and body, even after it was paid),
    stock taken once. The same key with other items: 422. The same key from another customer:
    an order of its own."""
    cafe, product, other_product = new_cafe("idem"), new_product("idem"), new_product("idem-other")
    restock(cafe.id, product["id"], 20)
    restock(cafe.id, other_product["id"], 20)
    first_buyer, second_buyer = new_customers(2, "idem")
    key = f"e2e-{uuid.uuid4()}"

    first = place(first_buyer.access_token, cafe.id, [(product["id"], 2)], key=key)
    assert first.status_code == 201, first.text
    again = place(first_buyer.access_token, cafe.id, [(product["id"], 2)], key=key)
    assert again.status_code == 201 and again.json() == first.json(), f"{first.text}\n{again.text}"
    assert quantity(cafe.id, product["id"]) == 18

    wait_for_order(first.json()["id"], "paid")
    late = place(first_buyer.access_token, cafe.id, [(product["id"], 2)], key=key)
    assert late.status_code == 201 and late.json() == first.json(), f"a replay after payment: {late.text}"

    details_of(place(first_buyer.access_token, cafe.id, [(product["id"], 3)], key=key))
    details_of(place(first_buyer.access_token, cafe.id, [(other_product["id"], 2)], key=key))

    theirs = place(second_buyer.access_token, cafe.id, [(product["id"], 2)], key=key)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != first.json()["id"] and theirs.json()["user_id"] == second_buyer.id
    assert quantity(cafe.id, product["id"]) == 16
    assert quantity(cafe.id, other_product["id"]) == 20


def test_prices_sent_by_the_client_are_ignored() -> None:
    """Price-like fields in the order or its lines do not change what is charged: the lines and the
    total come from the menu, and so does the payment's amount."""
    cafe, product = new_cafe("price"), new_product("price", price_cents=1234)
    restock(cafe.id, product["id"], 10)
    buyer = new_account(tag="price")
    line = {"product_id": product["id"], "quantity": 2, "price_cents": 1, "unit_price_cents": 1, "line_total_cents": 2}
    response = place(buyer.access_token, cafe.id, [line],
                     extra={"price_cents": 1, "unit_price_cents": 1, "total_cents": 2, "currency": "XXX"})
    assert response.status_code == 201, response.text
    order = response.json()
    assert [(i["unit_price_cents"], i["line_total_cents"]) for i in order["items"]] == [(1234, 2468)], order
    assert order["total_cents"] == 2468 and order["currency"] == product["currency"], order
    paid = wait_for_order(order["id"], "paid")
    assert paid["payment"]["amount_cents"] == 2468, paid


def test_a_product_listed_twice_is_one_line() -> None:
    cafe, product, other = new_cafe("merge"), new_product("merge", price_cents=300), new_product("merge2", price_cents=50)
    restock(cafe.id, product["id"], 10)
    restock(cafe.id, other["id"], 10)
    buyer = new_account(tag="merge")
    response = place(buyer.access_token, cafe.id, [(product["id"], 1), (other["id"], 1), (product["id"], 2)])
    assert response.status_code == 201, response.text
    order = response.json()
    lines = {line["product_id"]: (line["quantity"], line["line_total_cents"]) for line in order["items"]}
    assert len(order["items"]) == 2 and lines == {product["id"]: (3, 900), other["id"]: (1, 50)}, order
    assert order["total_cents"] == 950
    assert quantity(cafe.id, product["id"]) == 7 and quantity(cafe.id, other["id"]) == 9


def test_an_unknown_or_inactive_product_is_422_naming_its_line() -> None:
    """All lines or none: an unknown or a deactivated product is 422 naming `items.N.product_id`,
    and no stock of the valid lines is taken."""
    cafe, product, retired = new_cafe("unknown"), new_product("unknown"), new_product("retired")
    restock(cafe.id, product["id"], 10)
    restock(cafe.id, retired["id"], 10)
    commerce.deactivate_product(retired["id"])
    buyer = new_account(tag="unknown")

    details = details_of(place(buyer.access_token, cafe.id, [(product["id"], 1), (str(uuid.uuid4()), 1)]))
    assert "items.1.product_id" in details, details
    details = details_of(place(buyer.access_token, cafe.id, [(retired["id"], 1)]))
    assert "items.0.product_id" in details, details
    details = details_of(place(buyer.access_token, cafe.id, [(product["id"], 1), (product["id"], 1), (retired["id"], 2)]))
    assert "items.2.product_id" in details, details
    assert quantity(cafe.id, product["id"]) == 10


def test_an_admin_refund_ends_refunded_without_returning_stock() -> None:
    """A paid order refunded by an admin: 202 `refund_pending`, then `refunded` with its payment
    `refunded` (the admin payment list agrees); the stock stays sold; a second refund is 409."""
    cafe, product = new_cafe("refund"), new_product("refund", price_cents=700)
    restock(cafe.id, product["id"], 10)
    since = utc_now()
    buyer = new_account(tag="refund")
    order = order_placed(buyer.access_token, cafe.id, product["id"], 2)
    wait_for_order(order["id"], "paid")

    response = post(f"/api/admin/orders/{order['id']}/refund", token=admin_token())
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "refund_pending", response.text
    refunded = wait_for_order(order["id"], {"refunded"}, token=buyer.access_token)
    assert refunded["payment"]["status"] == "refunded" and refunded["payment"]["amount_cents"] == 1400, refunded

    (row,) = payments_for([order["id"]], since)[order["id"]]
    assert (row["status"], row["amount_cents"]) == ("refunded", 1400), row
    assert quantity(cafe.id, product["id"]) == 8
    error_of(post(f"/api/admin/orders/{order['id']}/refund", token=admin_token()), 409, "failed_precondition")


# --- the menu ----------------------------------------------------------------------------------

def test_the_menu_is_public_searchable_and_by_category() -> None:
    """Anyone lists the menu: a category filter, a case-insensitive search on the name and on the
    description, the categories with their number of active products; a deactivated product
    leaves all of them."""
    category = f"e2e-menu-{uuid.uuid4().hex[:8]}"
    word = f"zest{uuid.uuid4().hex[:8]}"
    plain = new_product("menu", category=category)
    described = new_product("menu", category=category, description=f"With a hint of {word}.")
    retired = new_product("menu", category=category)
    commerce.deactivate_product(retired["id"])

    def ids(**params) -> set[str]:
        response = get("/api/products", params={**params, "page_size": 100})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"]), body
        return {item["id"] for item in body["items"]}

    assert ids(category=category) == {plain["id"], described["id"]}
    assert ids(search=plain["name"].split()[-1].upper()) == {plain["id"]}
    assert ids(search=word.upper()) == {described["id"]}
    assert ids(search=word, category="e2e-no-such-category") == set()

    categories = {c["name"]: c["product_count"] for c in get("/api/categories").json()["items"]}
    assert categories.get(category) == 2, categories
    commerce.deactivate_product(plain["id"])
    categories = {c["name"]: c["product_count"] for c in get("/api/categories").json()["items"]}
    assert categories.get(category) == 1, categories


def test_an_inactive_product_is_visible_to_staff_only() -> None:
    """A deactivated product is 404 to anyone but staff and admins; they list it with
    `include_inactive=true`, which is 403 for a customer or an anonymous caller."""
    product = new_product("hidden")
    commerce.deactivate_product(product["id"])
    customer, staff = new_account(tag="hidden"), new_staff()

    error_of(get(f"/api/products/{product['id']}"), 404, "not_found")
    error_of(get(f"/api/products/{product['id']}", token=customer.access_token), 404, "not_found")
    for token in (staff.access_token, admin_token()):
        seen = get(f"/api/products/{product['id']}", token=token)
        assert seen.status_code == 200 and seen.json()["active"] is False, seen.text
        listed = get("/api/products", token=token, params={"include_inactive": "true", "search": product["name"]})
        assert listed.status_code == 200 and [p["id"] for p in listed.json()["items"]] == [product["id"]], listed.text
        default = get("/api/products", token=token, params={"search": product["name"]})
        assert default.status_code == 200 and default.json()["items"] == [], default.text

    error_of(get("/api/products", token=customer.access_token, params={"include_inactive": "true"}), 403, "permission_denied")
    error_of(get("/api/products", params={"include_inactive": "true"}), 403, "permission_denied")


def test_product_names_are_unique_among_active_products() -> None:
    """409 for a second active product of a name; once the first is deactivated the name is free,
    and reactivating the first is then 409."""
    first = new_product("unique")
    same = {"name": first["name"], "category": "e2e-unique", "price_cents": 100}
    error_of(post("/api/products", token=admin_token(), json=same), 409)
    commerce.deactivate_product(first["id"])
    second = post("/api/products", token=admin_token(), json=same)
    assert second.status_code == 201, second.text
    error_of(patch(f"/api/products/{first['id']}", token=admin_token(), json={"active": True}), 409)
    other = new_product("unique")
    error_of(patch(f"/api/products/{other['id']}", token=admin_token(), json={"name": first["name"]}), 409)


def test_patch_changes_only_the_fields_sent() -> None:
    staff = new_staff("patcher")
    product = new_product("patch", price_cents=500, description="Original text.", token=staff.access_token)

    response = patch(f"/api/products/{product['id']}", token=staff.access_token, json={"price_cents": 650})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["price_cents"] == 650
    assert {k: changed[k] for k in ("id", "name", "category", "description", "currency", "active", "created_at")} == \
        {k: product[k] for k in ("id", "name", "category", "description", "currency", "active", "created_at")}
    assert commerce.parse_time(changed["updated_at"]) >= commerce.parse_time(product["updated_at"])

    response = patch(f"/api/products/{product['id']}", token=staff.access_token, json={"description": "New text."})
    assert response.status_code == 200, response.text
    assert (response.json()["description"], response.json()["price_cents"], response.json()["name"]) == \
        ("New text.", 650, product["name"])
    assert get(f"/api/products/{product['id']}").json() == response.json()


def test_a_new_product_can_be_stocked_and_ordered_at_every_cafe() -> None:
    """A product added after the cafés exist is on their stock lists at once (quantity 0, never
    restocked: ordering it is 409 "only 0 left"), and after a restock it sells at each of them."""
    cafes = [new_cafe("everywhere") for _ in range(2)]
    product = new_product("everywhere")
    buyer = new_account(tag="everywhere")
    for cafe in cafes:
        line = commerce.stock_line(cafe.id, product["id"])
        assert (line["quantity"], line["restocked_at"], line["low_stock"]) == (0, None, True), line
        short = error_of(place(buyer.access_token, cafe.id, [(product["id"], 1)]), 409, "failed_precondition")
        assert short.get("details") == {product["id"]: "only 0 left"}, short
    for cafe in cafes:
        line = restock(cafe.id, product["id"], 25)
        assert line["quantity"] == 25 and line["restocked_at"] and line["low_stock"] is False, line
        order = order_placed(buyer.access_token, cafe.id, product["id"], 6)
        assert wait_for_order(order["id"], "paid")["location_id"] == cafe.id
        assert commerce.stock_line(cafe.id, product["id"])["low_stock"] is True  # 19 < 20
