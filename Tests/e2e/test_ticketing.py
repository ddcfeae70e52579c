"""Ticketing end to end (issue 11): seats are never oversold under concurrency (through both the
gateway and the client service's own front), a packet sells only what its fullest event allows,
the public view of a client applies its privacy flags, someone else's objects stay out of reach,
both fronts answer the same, and a revoked token is refused by both within a second.

Each test makes its own events, packets, accounts and clients (fresh names), so none depends on
another. Purchases for many clients at once are made by the admin (who may buy for any client)
on clients the admin created: registering 200 accounts would measure bcrypt, not seats.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

import identity
from commerce import admin_token, new_staff
from identity import delete, error_of, get, new_account, patch, post
from stack import wait_until
from ticketing import (buy, customer_with_profile, front, new_client_by_admin, new_event, new_packet, profile)


def rush(count: int, purchase) -> list[int]:
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda index: purchase(index).status_code, range(count)))


def test_two_hundred_purchases_of_fifty_seats_sell_fifty() -> None:
    event, _ = new_event(capacity=50)
    clients = [new_client_by_admin()["id"] for _ in range(40)]
    token = admin_token()
    # Half through the gateway, half through the client service's own front, all at once.
    statuses = rush(200, lambda i: buy(clients[i % 40], token, via_front=i % 2 == 1, event_id=event["id"]))
    assert statuses.count(201) == 50, sorted(set(statuses))
    assert statuses.count(409) == 150, sorted(set(statuses))
    after = get(f"/api/events/{event['id']}").json()
    assert (after["tickets_sold"], after["seats_left"]) == (50, 0)
    held = sum(len(get(f"/api/clients/{client}", token=token).json()["tickets"]) for client in clients)
    assert held == 50
    sold = get("/api/tickets?page_size=100", token=token).json()
    assert sum(1 for ticket in sold["items"] if ticket["event_id"] == event["id"] and ticket["valid"]) == 50


def test_a_packet_sells_only_what_its_fullest_event_allows() -> None:
    nearly_full, owner = new_event(capacity=10)
    roomy, _ = new_event(owner, capacity=100)
    token = admin_token()
    first = new_client_by_admin()["id"]
    for _ in range(8):
        assert buy(first, token, event_id=nearly_full["id"]).status_code == 201
    packet = new_packet(owner, [nearly_full["id"], roomy["id"]])
    assert packet["seats_left"] == 2
    clients = [new_client_by_admin()["id"] for _ in range(10)]
    statuses = rush(50, lambda i: buy(clients[i % 10], token, via_front=i % 2 == 0, packet_id=packet["id"]))
    assert statuses.count(201) == 2, sorted(set(statuses))
    assert statuses.count(409) == 48
    assert get(f"/api/events/{nearly_full['id']}").json()["tickets_sold"] == 10
    assert get(f"/api/events/{roomy['id']}").json()["tickets_sold"] == 2
    sold = get(f"/api/packets/{packet['id']}").json()
    assert (sold["tickets_sold"], sold["seats_left"]) == (2, 0)
    # Its events no longer change while its tickets are valid.
    error_of(delete(f"/api/packets/{packet['id']}/events/{roomy['id']}", token=owner.access_token), 409, "failed_precondition")


def test_a_retried_purchase_returns_the_same_ticket() -> None:
    event, _ = new_event(capacity=5)
    buyer, client = customer_with_profile()
    key = f"retry-{uuid.uuid4()}"
    first = buy(client["id"], buyer.access_token, key=key, event_id=event["id"])
    assert first.status_code == 201, first.text
    again = buy(client["id"], buyer.access_token, via_front=True, key=key, event_id=event["id"])
    assert again.status_code == 201 and again.json() == first.json()
    assert get(f"/api/events/{event['id']}").json()["tickets_sold"] == 1
    assert [ticket["code"] for ticket in get("/api/clients/me", token=buyer.access_token).json()["tickets"]] == [first.json()["code"]]


@pytest.mark.parametrize("name_public,social_public", [(False, False), (True, False), (False, True), (True, True)])
def test_the_public_view_applies_the_privacy_flags(name_public: bool, social_public: bool) -> None:
    account = new_account(tag="private")
    links = {"github": "https://github.com/e2e"}
    client = profile(account, first_name="Ada", last_name="Lovelace", is_name_public=name_public,
                     social_links=links, is_social_public=social_public)
    for response in (get(f"/api/clients/{client['id']}/public"), front("GET", f"/api/clients/{client['id']}/public")):
        assert response.status_code == 200
        view = response.json()
        assert view == {
            "id": client["id"],
            "first_name": "Ada" if name_public else None,
            "last_name": "Lovelace" if name_public else None,
            "social_links": links if social_public else None,
        }
        assert account.email not in response.text


def test_explicit_null_clears_and_omitted_fields_stay() -> None:
    account = new_account(tag="patch")
    profile(account, first_name="Ada", last_name="Lovelace", social_links={"web": "https://e2e.example"})
    cleared = profile(account, last_name=None, is_name_public=True)
    assert (cleared["first_name"], cleared["last_name"], cleared["social_links"]) == ("Ada", None, {"web": "https://e2e.example"})
    via_front = front("PUT", "/api/clients/me", token=account.access_token, json={"social_links": None})
    assert via_front.status_code == 200 and via_front.json()["social_links"] is None
    assert via_front.json()["first_name"] == "Ada"


def test_someone_elses_objects_stay_out_of_reach() -> None:
    owner_of_event = new_staff("owner")
    event, _ = new_event(owner_of_event, capacity=5)
    ann, ann_client = customer_with_profile("ann")
    bob, bob_client = customer_with_profile("bob")
    ticket = buy(ann_client["id"], ann.access_token, event_id=event["id"]).json()
    other_staff = new_staff("other")
    checks = [
        ("GET", f"/api/clients/{ann_client['id']}", bob, 404, {}),
        ("POST", f"/api/clients/{ann_client['id']}/tickets", bob, 404, {"json": {"event_id": event["id"]}}),
        ("GET", f"/api/tickets/{ticket['code']}", bob, 404, {}),
        ("DELETE", f"/api/tickets/{ticket['code']}", bob, 404, {}),
        ("POST", f"/api/tickets/{ticket['code']}/check-in", ann, 403, {}),
        ("PATCH", f"/api/events/{event['id']}", other_staff, 403, {"json": {"name": "Taken over"}}),
        ("DELETE", f"/api/events/{event['id']}", other_staff, 403, {}),
    ]
    for method, path, who, status, kwargs in checks:
        for response in (identity.call(method, path, token=who.access_token, **kwargs),
                         front(method, path, token=who.access_token, **kwargs)):
            error_of(response, status)
            assert ann.email not in response.text and ticket["code"] not in response.text
    assert get(f"/api/events/{event['id']}").json()["name"] == event["name"]
    assert get(f"/api/tickets/{ticket['code']}", token=ann.access_token).json()["valid"] is True
    assert get(f"/api/tickets/{ticket['code']}", token=owner_of_event.access_token).status_code == 200
    assert bob_client["tickets"] == []


def test_both_fronts_answer_the_same() -> None:
    event, owner = new_event(capacity=7, name=f"E2E same {uuid.uuid4().hex[:8]}")
    packet = new_packet(owner, [event["id"]], capacity=3)
    buyer, client = customer_with_profile()
    ticket = buy(client["id"], buyer.access_token, event_id=event["id"]).json()
    token = buyer.access_token
    reads = [
        (f"/api/events/{event['id']}", None),
        (f"/api/events?search={event['name'][-8:]}&page_size=5", None),
        (f"/api/events/{event['id']}/packets", None),
        (f"/api/packets/{packet['id']}", None),
        (f"/api/packets/{packet['id']}/events", None),
        (f"/api/tickets/{ticket['code']}", token),
        ("/api/tickets?page=1&page_size=5", token),
        ("/api/clients/me", token),
        (f"/api/clients/{client['id']}", token),
        (f"/api/clients/{client['id']}/public", None),
        (f"/api/events/{uuid.uuid4()}", None),
        ("/api/events?page=0", None),
        ("/api/clients/me", "not-a-token"),
    ]
    for path, who in reads:
        through_gateway = identity.call("GET", path, token=who)
        through_front = front("GET", path, token=who)
        assert through_front.status_code == through_gateway.status_code, path
        assert through_front.json() == through_gateway.json(), path
    # A write through one front is seen by the other.
    changed = front("PATCH", f"/api/events/{event['id']}", token=owner.access_token, json={"description": "Changed"})
    assert changed.status_code == 200
    assert get(f"/api/events/{event['id']}").json() == changed.json()


def test_a_revoked_token_is_refused_by_both_fronts_within_a_second() -> None:
    account, client = customer_with_profile("revoked")
    path = f"/api/clients/{client['id']}"
    assert front("GET", path, token=account.access_token).status_code == 200
    assert front("GET", "/api/tickets", token=account.access_token).status_code == 200
    assert post("/api/auth/logout", token=account.access_token).status_code in (200, 204)
    identity.refused_within(path, account.access_token, seconds=1.0)
    for probe_path in (path, "/api/tickets"):
        def refused(probe_path: str = probe_path) -> bool:
            return front("GET", probe_path, token=account.access_token).status_code == 401
        wait_until(refused, timeout=1.0, interval=0.05, what=f"{probe_path} on its service front to refuse the token")


def test_cancel_gives_the_seat_back_and_check_in_admits_once() -> None:
    event, owner = new_event(capacity=1)
    buyer, client = customer_with_profile()
    ticket = buy(client["id"], buyer.access_token, event_id=event["id"]).json()
    error_of(buy(new_client_by_admin()["id"], admin_token(), event_id=event["id"]), 409, "failed_precondition")
    assert delete(f"/api/tickets/{ticket['code']}", token=buyer.access_token).status_code == 204
    assert get(f"/api/events/{event['id']}").json()["seats_left"] == 1
    error_of(post(f"/api/tickets/{ticket['code']}/check-in", token=owner.access_token), 409, "failed_precondition")
    second = buy(client["id"], buyer.access_token, event_id=event["id"]).json()
    assert post(f"/api/tickets/{second['code'].lower()}/check-in", token=owner.access_token).json()["checked_in_at"]
    error_of(front("POST", f"/api/tickets/{second['code']}/check-in", token=owner.access_token), 409)
    error_of(delete(f"/api/events/{event['id']}", token=owner.access_token), 409)
