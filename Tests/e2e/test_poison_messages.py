"""Poison messages on the live broker: every consumer queue `<service>.events` (the services with
`broker` in Services/services.tsv whose queue exists) gets messages published straight to it
(default exchange, routing key = the queue) that can never be processed: a body that is not
JSON and bodies that are JSON of the wrong shape, typed as each event the service handles (and
one untyped). Each ends in `<queue>.dead` within seconds (bounded retries first), and the consumer
goes on with everything else: a registration still logs in after auth.events was poisoned, an
order is still paid after payment.events was.

The event types a service handles are read from its `EventHandlers` registrations and
Shared/EventKit/EventCatalog.swift, so a new consumer or event is probed without editing this file.
Every message the test put in a `.dead` queue is consumed (acked) again, matched by message_id,
so later "nothing in .dead" checks stay meaningful; other dead letters are left where they are.
"""

from __future__ import annotations

import io
import re
import time
import uuid

import pika
import pika.exceptions
import pytest
import requests
from PIL import Image

import commerce
from commerce import admin_token, new_cafe, new_product, order_placed, restock, terminal, wait_for_order
from identity import (delete, get, login_tokens, new_account, patch, post, refused_within, register_account, url)
from stack import READY_CHECKS, ROOT, SERVICES, wait_until

DEAD_WITHIN = 15.0   # seconds for a poison message to reach `.dead`
BODIES = {
    "not-json": b"{this is not json",
    "json-array": b"[1, 2, 3]",
    "json-wrong-fields": b'{"unexpected": {"nested": [true, null]}, "userId": 12345, "orderId": ["x"]}',
}


def handled_event_types() -> dict[str, list[str]]:
    """service → the event types its consumer registers (from the Swift sources)."""
    catalog = (ROOT / "Shared" / "EventKit" / "EventCatalog.swift").read_text()
    names = dict(re.findall(r'static let (\w+) = EventType<[^>]+>\("([^"]+)"', catalog))
    out: dict[str, list[str]] = {}
    for source in (ROOT / "Services").rglob("*.swift"):
        text = source.read_text()
        service = re.search(r"EventHandlers\(service: ServiceManifest\.(\w+)\.name\)", text)
        if service:
            out.setdefault(service.group(1), []).extend(
                names[constant] for constant in re.findall(r"handlers\.on\(EventCatalog\.(\w+)\)", text))
    return out


@pytest.fixture(scope="module")
def amqp():
    with commerce.broker_connection() as connection:
        yield connection


def queue_exists(connection, name: str) -> bool:
    channel = connection.channel()
    try:
        channel.queue_declare(name, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if channel.is_open:
            channel.close()


def consumer_queues(connection) -> list[str]:
    return [f"{name}.events" for name in SERVICES
            if "broker" in READY_CHECKS[name] and queue_exists(connection, f"{name}.events")]


def test_the_consumer_queues_are_found(amqp) -> None:
    queues = consumer_queues(amqp)
    types = handled_event_types()
    # Guards the derivations: auth and payment consume events; each found queue has its `.dead`
    # queue and handles at least one event type.
    assert {"auth.events", "payment.events"} <= set(queues), queues
    for queue in queues:
        service = queue.removesuffix(".events")
        assert types.get(service), f"cannot tell which events {service} handles (no EventHandlers registration)"
        assert queue_exists(amqp, f"{queue}.dead"), f"{queue} has no {queue}.dead"


def publish_poison(channel, queue: str, event_types: list[str]) -> dict[str, str]:
    """Publishes every poison body, typed as each event type (and untyped); message_id → what."""
    sent: dict[str, str] = {}
    for event_type in [*event_types, None]:
        for name, body in BODIES.items():
            message_id = str(uuid.uuid4())
            properties = pika.BasicProperties(message_id=message_id, content_type="application/json",
                                              type=event_type, delivery_mode=2)
            channel.basic_publish("", queue, body, properties=properties, mandatory=True)
            sent[message_id] = f"{name} as {event_type or 'untyped'}"
    return sent


def collect_dead(connection, queue: str, wanted: set[str], timeout: float) -> set[str]:
    """Acks the messages of `wanted` (message ids) that reach `queue` within `timeout`; others
    are left there (returned to the queue when the channel closes). Returns the ids found."""
    channel = connection.channel()
    found: set[str] = set()
    deadline = time.monotonic() + timeout
    try:
        while found != wanted and time.monotonic() < deadline:
            method, properties, _ = channel.basic_get(queue, auto_ack=False)
            if method is None:
                connection.sleep(0.2)
                continue
            if properties.message_id in wanted:
                channel.basic_ack(method.delivery_tag)
                found.add(properties.message_id)
            # Someone else's dead letter stays unacknowledged: back in the queue on close.
    finally:
        channel.close()
    return found


def registration_still_logs_in() -> None:
    account = register_account(tag="after-poison")
    login_tokens(account)


def order_still_gets_paid() -> None:
    """payment charges it (order.created), product marks it paid (payment.succeeded), analytics
    counts it in the café's day (order.paid)."""
    cafe, product = new_cafe("poison"), new_product("poison")
    try:
        restock(cafe.id, product["id"], 5)
        buyer = new_account(tag="after-poison")
        order = order_placed(buyer.access_token, cafe.id, product["id"], 1)
        wait_for_order(order["id"], "paid")
        wait_until(lambda: get(f"/api/locations/{cafe.id}/sales/today", token=admin_token()).json()["order_count"] == 1,
                   timeout=15, what="analytics to count the paid order")
    finally:
        commerce.retire_products()


def terminal_sessions_still_end() -> None:
    """idm ends a café's terminal sessions when its access code changes (location.access_changed)."""
    cafe = new_cafe("poison-idm")
    token = terminal(cafe)["access_token"]
    response = patch(f"/api/locations/{cafe.id}", token=admin_token(), json={"access_code": commerce.new_code()})
    assert response.status_code == 200, response.text
    refused_within("/api/orders", token, seconds=5)


def deactivated_owners_images_still_go_private() -> None:
    """media makes a deactivated user's public images private (user.deactivated)."""
    owner = new_account(tag="poison-media")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, "PNG")
    response = post("/api/media/images", token=owner.access_token, data=buffer.getvalue(),
                    headers={"Content-Type": "image/png"}, params={"visibility": "public"})
    assert response.status_code == 201, response.text
    link = url(f"/media/{response.json()['id']}")
    assert requests.get(link, timeout=10).status_code == 200
    assert delete(f"/api/admin/users/{owner.id}", token=admin_token()).status_code == 204
    wait_until(lambda: requests.get(link, timeout=10).status_code in (403, 404), timeout=15,
               what="the deactivated owner's public image to stop being served")


# What each consumer must still do after its queue was poisoned, through the API.
STILL_WORKS = {
    "auth.events": registration_still_logs_in,
    "payment.events": order_still_gets_paid,
    "product.events": order_still_gets_paid,
    "analytics.events": order_still_gets_paid,
    "idm.events": terminal_sessions_still_end,
    "media.events": deactivated_owners_images_still_go_private,
}


def test_poison_messages_are_dead_lettered_and_the_consumers_go_on(amqp) -> None:
    queues = consumer_queues(amqp)
    assert queues, "no consumer queue found"
    types = handled_event_types()
    channel = amqp.channel()
    channel.confirm_delivery()  # an unroutable or refused publish raises
    sent = {queue: publish_poison(channel, queue, types[queue.removesuffix(".events")]) for queue in queues}
    channel.close()

    problems = []
    for queue in queues:
        found = collect_dead(amqp, f"{queue}.dead", set(sent[queue]), DEAD_WITHIN)
        missing = [what for message_id, what in sent[queue].items() if message_id not in found]
        if missing:  # clean up late arrivals before failing, so they do not linger in `.dead`
            collect_dead(amqp, f"{queue}.dead", set(sent[queue]) - found, 30)
            problems.append(f"not in {queue}.dead within {DEAD_WITHIN:.0f} s: {missing}")
        probe = amqp.channel()
        if probe.queue_declare(queue, passive=True).method.consumer_count < 1:
            problems.append(f"{queue} has no consumer left after the poison messages")
        probe.close()
    assert not problems, "\n".join(problems)

    missing_checks = [queue for queue in queues if queue not in STILL_WORKS]
    assert not missing_checks, f"add to STILL_WORKS what {missing_checks} must still do after poisoning"
    for check in dict.fromkeys(STILL_WORKS[queue] for queue in queues):
        check()
