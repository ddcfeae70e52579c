"""`user.registered` on the broker: what a registration publishes, and auth applying a
duplicated delivery exactly once (its inbox deduplicates by message_id)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from datetime import datetime, timezone

import bcrypt
import pika
import pytest

import identity
from identity import RPC_TIMEOUT, fake_address, idm_stub, new_password, register, unique_email
from protos.idm.v1 import idm_pb2

EXCHANGE = "platform.events"
EVENT = "user.registered"


def amqp_parameters() -> pika.URLParameters:
    url = os.environ.get("AMQP_URL")
    if not url:
        pytest.fail("AMQP_URL is not set: run through scripts/test or `source scripts/lib/env.sh`")
    parameters = pika.URLParameters(url)
    parameters.socket_timeout = 10
    parameters.blocked_connection_timeout = 10
    parameters.connection_attempts = 3
    parameters.retry_delay = 1
    return parameters


@pytest.fixture
def amqp():
    connection = pika.BlockingConnection(amqp_parameters())
    try:
        yield connection
    finally:
        if connection.is_open:
            connection.close()


def auth_sql(query: str) -> str:
    url = os.environ.get("AUTH_DATABASE_URL")
    if not url:
        pytest.fail("AUTH_DATABASE_URL is not set: run through scripts/test or `source scripts/lib/env.sh`")
    result = subprocess.run(
        ["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-tAc", query],
        capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, f"psql failed ({result.returncode}): {result.stderr}"
    return result.stdout.strip()


def test_registration_publishes_user_registered(amqp) -> None:
    channel = amqp.channel()
    channel.exchange_declare(EXCHANGE, passive=True)
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, EXCHANGE, routing_key=EVENT)

    email, password = unique_email("event"), new_password()
    response = register(email, password, "Event Person")
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]

    deadline = time.monotonic() + 10
    found = None
    seen = 0
    while found is None:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            assert time.monotonic() < deadline, f"no user.registered for {email} within 10 s ({seen} others seen)"
            amqp.sleep(0.05)
            continue
        seen += 1
        payload = json.loads(body)
        if payload.get("email") == email:
            found = (method, properties, body, payload)
    method, properties, body, payload = found

    assert method.routing_key == EVENT and method.exchange == EXCHANGE
    assert str(uuid.UUID(properties.message_id)) == properties.message_id.lower()
    assert properties.type == EVENT
    assert properties.content_type == "application/json"
    assert payload["userId"] == user_id
    assert payload["email"] == email
    assert payload["passwordHash"].startswith("$2"), payload
    assert payload.get("name") == "Event Person" and payload.get("roles") == ["customer"], payload
    assert "registeredAt" in payload, payload
    assert password not in body.decode(), "the plaintext password is in the event"
    assert password.encode() not in body


def hand_made_registration(email: str, password: str) -> tuple[str, bytes]:
    user_id = str(uuid.uuid4())
    payload = {
        "userId": user_id,
        "email": email,
        "name": "Hand Made",
        "roles": ["customer"],
        "passwordHash": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
        "registeredAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return user_id, json.dumps(payload).encode()


def publish(channel, message_id: str, body: bytes) -> None:
    properties = pika.BasicProperties(
        message_id=message_id, type=EVENT, content_type="application/json", delivery_mode=2,
        timestamp=int(time.time()))
    # With confirms on, an unroutable or nacked message raises here.
    channel.basic_publish(EXCHANGE, EVENT, body, properties=properties, mandatory=True)


def test_a_duplicated_user_registered_is_applied_once(amqp) -> None:
    channel = amqp.channel()
    channel.confirm_delivery()

    email, password = unique_email("dup"), new_password()
    user_id, body = hand_made_registration(email, password)
    event_id = str(uuid.uuid4())
    publish(channel, event_id, body)
    publish(channel, event_id, body)
    # A third, later event: once it is applied the duplicate ahead of it has been handled too
    # (best effort: the queue is FIFO, though auth may process deliveries concurrently).
    sentinel_email, sentinel_password = unique_email("dup-sentinel"), new_password()
    sentinel_id, sentinel_body = hand_made_registration(sentinel_email, sentinel_password)
    publish(channel, str(uuid.uuid4()), sentinel_body)

    # Credentials reach auth (polled through auth, whose checks are not throttled), then idm logs in.
    identity.wait_for_credentials(email, password, timeout=5)
    login = idm_stub().Login(
        idm_pb2.LoginRequest(email=email, password=password, client_address=fake_address(), user_agent="e2e-events"),
        timeout=RPC_TIMEOUT, wait_for_ready=True)
    assert login.user_id == user_id and login.email == email and login.token
    identity.wait_for_account(sentinel_id, timeout=10)

    assert uuid.UUID(user_id) and "'" not in email
    assert auth_sql(f"SELECT count(*) FROM credentials WHERE user_id = '{user_id}'") == "1"
    assert auth_sql(f"SELECT count(*) FROM credentials WHERE email = '{email}'") == "1"
