"""Helpers of the analytics tests (issue 10; Services/Gateway/API/openapi.yaml, tag analytics).

- `Sale` / `Ledger`: the sales a test knows it made, and the dashboard's figures worked out from
  them in plain Python, independently of the service (summary, overview, predictions, a café's
  day): the rules of the document and the issue (highest first with ties by name, zero-filled
  days, shares and growth rounded half away from zero to 2 decimals, averages half up, the
  least-squares forecast in exact fractions).
- `Publisher`: `order.paid` / `order.refunded` published with pika exactly as product publishes
  them (exchange `platform.events`, routing key = type = the event type, persistent, a UUID
  message id = the event id, a correlation id, JSON in protobuf's mapping) — the test-only way to
  give a sale a paid time in another month. The facts go through analytics' real consumer and
  inbox; the services have no backdoor.
- `isolated_months`: months nobody else sold in (far in the past, a random year per run), so a
  test can assert every figure of their summary and overview.
- `start_rebuild`, `wait_for_rebuild`: a rebuild and its end (`GET /api/admin/analytics/rebuild`).
- Thin wrappers of the five routes (every call goes through `identity.call`: the OpenAPI
  contract and the leak scan).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable

import pika

import commerce
from identity import get, post
from stack import wait_until

UTC = dt.timezone.utc
SUMMARY = "/api/admin/analytics/summary"
OVERVIEW = "/api/admin/analytics/overview"
PREDICTIONS = "/api/admin/analytics/predictions"
REBUILD = "/api/admin/analytics/rebuild"
QUEUE = "analytics.events"
DEAD_LETTERS = "analytics.events.dead"
APPLY_WITHIN = 30.0      # seconds for analytics to apply what a test published or paid
MAXIMUM_DAYS = 366
SHORT_LIST = 3


def today_path(location_id: str) -> str:
    return f"/api/locations/{location_id}/sales/today"


# --- the calendar ------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @staticmethod
    def of(day: dt.date | dt.datetime) -> "Month":
        return Month(day.year, day.month)

    @staticmethod
    def current() -> "Month":
        return Month.of(dt.datetime.now(UTC))

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def add(self, months: int) -> "Month":
        index = self.index + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return self.add(1).first - dt.timedelta(days=1)

    def at(self, day: int, clock: str = "12:00:00") -> dt.datetime:
        """A UTC instant of the month; `day` may be negative (-1: the last day)."""
        date = self.first + dt.timedelta(days=day - 1) if day > 0 else self.last + dt.timedelta(days=day + 1)
        return dt.datetime.fromisoformat(f"{date.isoformat()}T{clock}").replace(tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def rfc3339(instant: dt.datetime) -> str:
    """As SwiftProtobuf writes a Timestamp: UTC, `Z`, fractional seconds only when there are any."""
    text = instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if instant.microsecond:
        text += f".{instant.microsecond:06d}".rstrip("0")
    return text + "Z"


# --- rounding, as the document states it -------------------------------------------------------

def round_half_away(value: Fraction) -> int:
    """The nearest integer, halves away from zero (exact)."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def percent(part: Fraction) -> float:
    """`part` × 100 rounded half away from zero to 2 decimals."""
    return round_half_away(part * 10_000) / 100


def growth(base: int, value: int) -> float | None:
    """(value − base) / base × 100 to 2 decimals; None when base is 0."""
    return None if base == 0 else percent(Fraction(value - base, base))


def least_squares_next(series: list[int]) -> int:
    """The ordinary least-squares line through (0, y0) … (n−1, yn−1), at x = n, in exact
    fractions, rounded to a cent (halves away from zero), never below 0; with fewer than 2
    points the last one (0 without any)."""
    if len(series) < 2:
        return series[-1] if series else 0
    n = len(series)
    mean_x = Fraction(n - 1, 2)
    mean_y = Fraction(sum(series), n)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(series))
    variance = sum((x - mean_x) ** 2 for x in range(n))
    predicted = mean_y + covariance / variance * (n - mean_x)
    return max(0, round_half_away(predicted))


# --- what a test sold --------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    product_id: str
    name: str
    category: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass
class Sale:
    order_id: str
    location_id: str
    location_name: str
    lines: list[Line]
    paid_at: dt.datetime
    user_id: str | None = None
    currency: str = "EUR"

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def day(self) -> dt.date:
        return self.paid_at.astimezone(UTC).date()

    def paid_payload(self) -> dict[str, Any]:
        """`events.v1.OrderPaid` in protobuf's JSON mapping (int64 as strings, empty fields left
        out), as product writes it."""
        payload: dict[str, Any] = {"orderId": self.order_id}
        if self.user_id:
            payload["userId"] = self.user_id
        payload.update({
            "locationId": self.location_id,
            "locationName": self.location_name,
            "lines": [{"productId": line.product_id, "name": line.name, "category": line.category,
                       "quantity": str(line.quantity), "unitPriceCents": str(line.unit_price_cents),
                       "lineTotalCents": str(line.total_cents)} for line in self.lines],
            "totalCents": str(self.total_cents),
            "currency": self.currency,
            "paidAt": rfc3339(self.paid_at),
        })
        return payload

    def refunded_payload(self, refunded_at: dt.datetime) -> dict[str, Any]:
        """`events.v1.OrderRefunded` for this sale."""
        return {"orderId": self.order_id, "locationId": self.location_id, "totalCents": str(self.total_cents),
                "currency": self.currency, "paidAt": rfc3339(self.paid_at), "refundedAt": rfc3339(refunded_at)}


def by_most_sold(item: dict) -> tuple:
    return (-item["quantity"], item["name"], item["product_id"].upper())


def by_least_sold(item: dict) -> tuple:
    return (item["quantity"], item["name"], item["product_id"].upper())


def by_best_sales(item: dict) -> tuple:
    return (-item["sales_cents"], item["name"], item["location_id"].upper())


@dataclass
class Ledger:
    """The sales a test made (each order counted once, the first time it is recorded) and the
    refunded orders; the figures of the dashboard worked out from them."""

    sales: dict[str, Sale] = field(default_factory=dict)
    refunded: set[str] = field(default_factory=set)

    def record(self, sale: Sale) -> None:
        self.sales.setdefault(sale.order_id, sale)

    def refund(self, order_id: str) -> None:
        self.refunded.add(order_id)

    def counted(self, first: dt.date | None = None, last: dt.date | None = None,
                locations: Iterable[str] | None = None) -> list[Sale]:
        wanted = set(locations) if locations is not None else None
        return [sale for sale in self.sales.values()
                if sale.order_id not in self.refunded
                and (first is None or sale.day >= first) and (last is None or sale.day <= last)
                and (wanted is None or sale.location_id in wanted)]

    # -- the pieces

    @staticmethod
    def locations_of(sales: list[Sale]) -> list[dict]:
        rows: dict[str, dict] = {}
        for sale in sales:
            row = rows.setdefault(sale.location_id, {"location_id": sale.location_id, "name": sale.location_name,
                                                     "sales_cents": 0, "order_count": 0})
            row["sales_cents"] += sale.total_cents
            row["order_count"] += 1
        return sorted(rows.values(), key=by_best_sales)

    @staticmethod
    def quantities_of(sales: list[Sale]) -> list[dict]:
        rows: dict[str, dict] = {}
        for sale in sales:
            for line in sale.lines:
                row = rows.setdefault(line.product_id,
                                      {"product_id": line.product_id, "name": line.name, "quantity": 0})
                row["quantity"] += line.quantity
        return [row for row in rows.values() if row["quantity"] > 0]

    # -- the views

    def summary(self, month: Month) -> dict:
        sales = self.counted(month.first, month.last)
        total = sum(sale.total_cents for sale in sales)
        previous = sum(sale.total_cents for sale in self.counted(month.add(-1).first, month.add(-1).last))
        products = sorted(self.quantities_of(sales), key=by_most_sold)
        locations = self.locations_of(sales)
        return {
            "month": str(month),
            "total_sales_cents": total,
            "order_count": len(sales),
            "average_order_cents": math.floor(Fraction(total, len(sales)) + Fraction(1, 2)) if sales else 0,
            "top_product": products[0] if products else None,
            "top_location": ({key: locations[0][key] for key in ("location_id", "name", "sales_cents")}
                             if locations else None),
            "previous_month_sales_cents": previous,
            "growth_pct": growth(previous, total),
        }

    def overview(self, first: dt.date, last: dt.date, locations: Iterable[str] | None = None) -> dict:
        """The overview of `first`…`last`; with `locations`, only their entries (and no categories)."""
        sales = self.counted(first, last, locations)
        cafes = self.locations_of(sales)
        per_day: dict[tuple[dt.date, str], int] = defaultdict(int)
        for sale in sales:
            per_day[(sale.day, sale.location_id)] += sale.total_cents
        products = []
        for cafe in cafes:
            sold = self.quantities_of([sale for sale in sales if sale.location_id == cafe["location_id"]])
            products.append({"location_id": cafe["location_id"],
                             "top": sorted(sold, key=by_most_sold)[:SHORT_LIST],
                             "bottom": sorted(sold, key=by_least_sold)[:SHORT_LIST]})
        categories: dict[str, int] = defaultdict(int)
        for sale in sales:
            for line in sale.lines:
                categories[line.category] += line.total_cents
        total = sum(categories.values())
        return {
            "from": first.isoformat(), "to": last.isoformat(),
            "locations": cafes,
            "daily": [{"date": day.isoformat(), "location_id": cafe["location_id"],
                       "sales_cents": per_day.get((day, cafe["location_id"]), 0)}
                      for day in days(first, last) for cafe in cafes],
            "products": products,
            "categories": sorted(({"category": name, "sales_cents": cents,
                                   "share_pct": percent(Fraction(cents, total))}
                                  for name, cents in categories.items() if cents != 0),
                                 key=lambda c: (-c["sales_cents"], c["category"])),
        }

    def prediction(self, location_id: str, current: Month) -> dict | None:
        """The café's prediction entry without `rank`, or None when it has no complete month."""
        last = current.add(-1)
        monthly: dict[int, int] = defaultdict(int)
        name = ""
        for sale in sorted(self.counted(locations=[location_id]), key=lambda s: s.paid_at):
            month = Month.of(sale.day)
            if month <= last:
                monthly[month.index] += sale.total_cents
                name = sale.location_name
        if not monthly:
            return None
        series = [monthly.get(index, 0) for index in range(min(monthly), last.index + 1)]
        predicted = least_squares_next(series)
        return {"location_id": location_id, "name": name, "current_sales_cents": series[-1],
                "predicted_sales_cents": predicted, "growth_pct": growth(series[-1], predicted),
                "months_of_data": len(series)}

    def today(self, location_id: str, day: dt.date) -> dict:
        sales = self.counted(day, day, [location_id])
        return {"date": day.isoformat(), "sales_cents": sum(s.total_cents for s in sales), "order_count": len(sales),
                "top_products": sorted(self.quantities_of(sales), key=by_most_sold)[:SHORT_LIST]}


def new_order_id() -> str:
    return str(uuid.uuid4())


# --- the broker --------------------------------------------------------------------------------

class Publisher:
    """A confirmed pika channel on `platform.events`, and the analytics queue's counts."""

    def __init__(self) -> None:
        parameters = pika.URLParameters(commerce.amqp_url())
        parameters.socket_timeout = 10
        parameters.blocked_connection_timeout = 10
        self.connection = pika.BlockingConnection(parameters)
        self.channel = self.connection.channel()
        self.channel.exchange_declare(commerce.EXCHANGE, passive=True)
        self.channel.confirm_delivery()
        self.published: list[tuple[str, str]] = []  # (event type, event id)

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()

    def publish(self, event_type: str, payload: dict, *, event_id: str | None = None) -> str:
        """Publishes one event as product does; with confirms on, a nack or an unroutable
        message raises. Returns the event id."""
        event_id = event_id or str(uuid.uuid4())
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=2, message_id=event_id, type=event_type,
            correlation_id=str(uuid.uuid4()), timestamp=int(time.time()))
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.channel.basic_publish(commerce.EXCHANGE, event_type, body, properties=properties, mandatory=True)
        self.published.append((event_type, event_id))
        return event_id

    def paid(self, sale: Sale, *, event_id: str | None = None) -> str:
        return self.publish("order.paid", sale.paid_payload(), event_id=event_id)

    def refunded(self, sale: Sale, refunded_at: dt.datetime, *, event_id: str | None = None) -> str:
        return self.publish("order.refunded", sale.refunded_payload(refunded_at), event_id=event_id)

    def count(self, queue: str) -> int:
        """Messages ready in `queue` (not those being handled)."""
        return self.channel.queue_declare(queue, passive=True).method.message_count

    def drained(self) -> bool:
        return self.count(QUEUE) == 0


# --- the routes --------------------------------------------------------------------------------

def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (
        f"{response.request.method} {response.url}: {response.status_code}, expected {status}: {response.text[:500]}")
    return response.json()


def summary(month: Month | str | None = None, token: str | None = None) -> dict:
    params = {"month": str(month)} if month is not None else None
    return _ok(get(SUMMARY, token=token or commerce.admin_token(), params=params))


def overview(first: dt.date | str | None = None, last: dt.date | str | None = None, token: str | None = None) -> dict:
    params = {}
    if first is not None:
        params["from"] = str(first)
    if last is not None:
        params["to"] = str(last)
    return _ok(get(OVERVIEW, token=token or commerce.admin_token(), params=params or None))


def predictions(token: str | None = None) -> dict:
    return _ok(get(PREDICTIONS, token=token or commerce.admin_token()))


def today(location_id: str, token: str | None = None) -> dict:
    return _ok(get(today_path(location_id), token=token or commerce.admin_token()))


def only_locations(view: dict, location_ids: Iterable[str]) -> dict:
    """An overview's entries of the given cafés (order kept), without the global categories."""
    wanted = set(location_ids)
    return {
        "from": view["from"], "to": view["to"],
        "locations": [row for row in view["locations"] if row["location_id"] in wanted],
        "daily": [row for row in view["daily"] if row["location_id"] in wanted],
        "products": [row for row in view["products"] if row["location_id"] in wanted],
    }


def settled(read: Callable[[], Any], expected: Any, *, timeout: float = APPLY_WITHIN, interval: float = 0.25) -> Any:
    """Polls `read()` until it equals `expected` or `timeout` seconds pass; returns the last value
    read, for the test to assert (so pytest shows the difference)."""
    deadline = time.monotonic() + timeout
    while True:
        actual = read()
        if actual == expected or time.monotonic() >= deadline:
            return actual
        time.sleep(interval)


def isolated_months(count: int, *, first_month: int = 1, tries: int = 20) -> Month:
    """The first of `count` consecutive months (from `first_month` of a random year in
    1971–2015) such that they, the month before and the month after have no sales at all: a
    test's backdated facts there are the only ones. The year comes from a fresh uuid per run."""
    for _ in range(tries):
        year = 1971 + uuid.uuid4().int % 45
        start = Month(year, first_month)
        months = [start.add(offset) for offset in range(count + 1)]
        figures = [summary(month) for month in months]
        if figures[0]["previous_month_sales_cents"] == 0 and all(
                f["total_sales_cents"] == 0 and f["order_count"] == 0 for f in figures):
            return start
    raise AssertionError(f"no {count} isolated months found in {tries} tries")


# --- rebuilds ----------------------------------------------------------------------------------

def rebuild_status(token: str | None = None) -> dict:
    response = get(REBUILD, token=token or commerce.admin_token())
    assert response.status_code == 200, f"GET {REBUILD}: {response.status_code} {response.text[:300]}"
    return response.json()


def wait_for_rebuild(timeout: float = 180.0) -> dict:
    """Polls the rebuild's state until none runs; returns how the last one ended."""
    def ended() -> dict | None:
        status = rebuild_status()
        return None if status["running"] else status

    return wait_until(ended, timeout=timeout, interval=0.25, what="the rebuild to end")


def start_rebuild(token: str | None = None, timeout: float = 180.0) -> None:
    """POST rebuild until it answers 202 (a 409 — one under way, e.g. another test's — waits for
    that one to end)."""
    deadline = time.monotonic() + timeout
    while True:
        response = post(REBUILD, token=token or commerce.admin_token())
        if response.status_code == 202:
            assert response.json() == {"status": "started"}, response.text
            return
        assert response.status_code == 409, f"POST {REBUILD}: {response.status_code} {response.text[:300]}"
        assert time.monotonic() < deadline, "a rebuild was under way for too long"
        wait_for_rebuild(timeout=max(1.0, deadline - time.monotonic()))
