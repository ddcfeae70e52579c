"""Distributed tracing on the live stack: gateway, product and payment restarted exporting to a
test OTLP receiver (`otlp.py`); one `POST /api/orders` must come back as one trace, from the
gateway's HTTP span over the gRPC hop and product's transaction, through the broker to payment's
consume and charge, and back to product's consume of the result, every parent link intact."""

from __future__ import annotations

import pytest

import commerce
import identity
import otlp
import processes
from commerce import new_cafe, new_product, order_placed, restock, wait_for_order
from identity import new_account
from stack import wait_until

TRACED = ("gateway", "product", "payment", "client")


@pytest.fixture(scope="module")
def receiver():
    sink = otlp.Receiver()
    try:
        for name in TRACED:
            commerce.restart(name, OTEL_EXPORTER_OTLP_ENDPOINT=sink.endpoint, OTEL_BSP_SCHEDULE_DELAY="100")
        yield sink
    finally:
        for name in TRACED:
            commerce.restart(name)  # without the exporter: tracing off again
        sink.close()


def one(spans: list[otlp.Span], **wanted: object) -> otlp.Span:
    found = [s for s in spans if all(getattr(s, k) == v for k, v in wanted.items())]
    assert len(found) == 1, f"{len(found)} spans match {wanted}: {[(s.service, s.name, s.kind) for s in spans]}"
    return found[0]


def ancestors(span: otlp.Span, spans: list[otlp.Span]) -> list[otlp.Span]:
    by_id = {s.span_id: s for s in spans}
    chain = []
    while span.parent_id:
        assert span.parent_id in by_id, f"{span.service} {span.name}: its parent {span.parent_id} is not in the trace"
        span = by_id[span.parent_id]
        chain.append(span)
    return chain


@pytest.mark.disruptive
def test_one_order_is_one_trace_across_http_grpc_and_the_broker(receiver: otlp.Receiver) -> None:
    cafe, product = new_cafe("traced"), new_product("traced", price_cents=450)
    restock(cafe.id, product["id"], 3)
    buyer = new_account(tag="traced")
    order = order_placed(buyer.access_token, cafe.id, product["id"], 1)
    wait_for_order(order["id"], "paid")

    http = wait_until(lambda: receiver.find(service="gateway", name="POST /api/orders", kind="SERVER"), timeout=10,
                      what="the gateway's span of POST /api/orders")[-1]
    assert http.parent_id == "" and http.attributes["http.response.status_code"] == 201, http
    assert http.attributes["request_id"], http

    def whole_trace() -> list[otlp.Span] | None:
        spans = receiver.trace(http.trace_id)
        done = any(s.service == "product" and s.name == "consume payment.succeeded" for s in spans)
        return spans if done else None

    spans = wait_until(whole_trace, timeout=15, what="product's consume of payment.succeeded in the same trace")
    method = "product.v1.ProductService/CreateOrder"
    client = one(spans, service="gateway", name=method, kind="CLIENT")
    server = one(spans, service="product", name=method, kind="SERVER")
    assert client.parent_id == http.span_id and server.parent_id == client.span_id
    assert server.attributes["request_id"] == http.attributes["request_id"]

    writes = [s for s in spans if s.service == "product" and s.name == "transaction products"
              and "INSERT" in str(s.attributes.get("db.operation.name")) and server in ancestors(s, spans)]
    assert writes, "product's transaction that placed the order"
    for span in spans:
        assert "$1" not in str(span.attributes) and buyer.access_token not in str(span.attributes), span

    publish = one(spans, service="product", name="publish order.created", kind="PRODUCER")
    consume = one(spans, service="payment", name="consume order.created", kind="CONSUMER")
    assert consume.parent_id == publish.span_id
    assert any(s.service == "payment" and s.name.startswith("transaction") for s in spans
               if consume in ancestors(s, spans)), "payment's charge, inside its consume"
    paid = one(spans, service="payment", name="publish payment.succeeded", kind="PRODUCER")
    assert consume in ancestors(paid, spans)
    result = one(spans, service="product", name="consume payment.succeeded", kind="CONSUMER")
    assert result.parent_id == paid.span_id
    # Every span of the trace leads back to the gateway's HTTP span.
    for span in spans:
        assert span is http or http in ancestors(span, spans), (span.service, span.name)
    assert not any(s.error for s in spans)


@pytest.mark.disruptive
def test_a_mongodb_command_is_a_span_of_the_request(receiver: otlp.Receiver) -> None:
    buyer = new_account(tag="traced-client")
    # The gateway may still be reconnecting to the restarted client service (503 meanwhile).
    response = wait_until(lambda: (r := identity.put("/api/clients/me", token=buyer.access_token,
                                                     json={"first_name": "Traced"})).status_code == 200 and r,
                          timeout=15, what="PUT /api/clients/me to succeed")
    request_id = response.headers["X-Request-ID"]
    http = wait_until(lambda: next((s for s in receiver.find(service="gateway", kind="SERVER")
                                    if s.attributes.get("request_id") == request_id), None),
                      timeout=10, what="the request's span")
    commands = wait_until(lambda: [s for s in receiver.trace(http.trace_id)
                                   if s.service == "client" and s.attributes.get("db.system.name") == "mongodb"],
                          timeout=10, what="client's MongoDB spans in the request's trace")
    for span in commands:
        assert http in ancestors(span, receiver.trace(http.trace_id)), span
        assert span.attributes["db.collection.name"] and "Traced" not in str(span.attributes), span


@pytest.mark.disruptive
def test_log_lines_carry_the_trace_and_span_ids(receiver: otlp.Receiver) -> None:
    buyer = new_account(tag="traced-log")
    response = identity.get("/api/orders/00000000-0000-0000-0000-000000000000", token=buyer.access_token)
    assert response.status_code in (403, 404)
    request_id = response.headers["X-Request-ID"]
    span = wait_until(lambda: next((s for s in receiver.find(service="gateway", kind="SERVER")
                                    if s.attributes.get("request_id") == request_id), None),
                      timeout=10, what="the request's span")
    log = processes.local_dir() / "logs" / "gateway.log"
    line = wait_until(lambda: next((l for l in log.read_text().splitlines() if request_id in l and span.trace_id in l), None),
                      timeout=5, what="a gateway log line of the request with its trace id")
    assert f'"trace_id":"{span.trace_id}"' in line.replace(" ", ""), line
