"""The scenarios of scripts/bench that load the platform's own features: identity, orders,
analytics, tickets and media (the ceilings are in ceilings.py, the cache-off and order reads in
reads.py, memory in memory.py, the table, JSON and comparison in suite.py). Each scenario takes
the run's Settings and returns its figures (common.Figure), in print order.

    identity   GET /api/auth/me under wrk (profile cache on); the login rate (`logins` logins of
               4 users on 4 threads: idm lets one client address have 4 password checks in
               flight, one account 2); register → can log in (`users` users one after the other)
    orders     POST /api/orders under wrk (8 cafés × 4 products round robin), how long the saga
               then needs to pay them all; order → paid at `order_rate`/s for `order_seconds`
    analytics  loads `analytics_lines` order lines over 24 months and 20 cafés straight into
               analytics' tables, times summary, a 31-day overview and predictions (200 calls
               each), publishes order.paid at `event_rate`/s for `event_seconds` and times how
               fast analytics works them off; then rebuilds from product's history, which drops
               the loaded facts (it starts by clearing analytics' facts: run it on a bench stack)
    tickets    POST /api/clients/{id}/tickets under wrk against one event of 1,000,000 seats,
               round robin over 32 clients; the purchases accepted, the seats the event counts
               and the tickets its clients hold must be one number
    media      upload and read throughput for 1 MB and 8 MB images (8 clients, `duration` s
               each), the gateway's peak RSS during 16 parallel 8 MB uploads

Order → paid: a queue of this process (exclusive, gone with it) is bound to `order.paid` on the
events exchange before the first order goes out; an order counts as paid when its event arrives,
which is after product committed it. Latency runs from the start of the order's request.

Register → can-log-in: after the 201 the helper polls auth every 20 ms (gRPC GetAccount: has
the `user.registered` event been applied?) and then logs in through the gateway, which must
succeed; the latency is measured up to that login's 200. Polling the login itself would count
every early attempt as a failed login, and idm's throttle (5 per account, 20 per client
address in 15 min) would then refuse the benchmark's own logins.

The REST and gRPC helpers are the end-to-end suite's (Tests/e2e/identity.py).
"""

from __future__ import annotations

import datetime
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import (GATEWAY, BenchError, Figure, Settings, count, fact, identity_module, kib_as_mb, log, ms,
                    percentile, rate, seconds, service_pid, throughput, warn, wrk, wrk_figures)
from memory import rss_kib

POLL_INTERVAL = 0.02   # seconds between checks whether a new user can log in
USER_TIMEOUT = 30.0    # seconds before a registration counts as never usable
LOGIN_THREADS = 4


# --- identity --------------------------------------------------------------------------------

def identity(settings: Settings) -> dict[str, Figure]:
    ids = identity_module()
    log("registering and logging in a benchmark user")
    account = ids.new_account(tag="bench")
    response = ids.get("/api/auth/me", token=account.access_token)
    if response.status_code != 200:
        raise BenchError(f"GET /api/auth/me with a fresh token answered {response.status_code}: {response.text[:300]}")
    log(f"wrk: GET /api/auth/me for {settings.duration} s (profile cache on)")
    figures = wrk_figures(wrk(GATEWAY + "/api/auth/me", settings.duration, token=account.access_token),
                          "GET /api/auth/me")
    log(f"login rate: {settings.logins} logins on {LOGIN_THREADS} threads")
    figures.update(logins(settings.logins, LOGIN_THREADS))
    log(f"register → can log in: {settings.users} users")
    figures.update(register_latency(settings.users))
    return figures


def logins(total: int, threads: int) -> dict[str, Figure]:
    """One user per thread: idm lets one account have 2 password checks in flight (and one
    address 4), so more threads on one user would measure the throttle, not the logins."""
    ids = identity_module()
    accounts = [ids.register_account(tag=f"bench-login{index}") for index in range(threads)]

    def one(index: int) -> int:
        account = accounts[index % threads]
        try:
            return ids.login(account.email, account.password).status_code
        except Exception:  # noqa: BLE001 - counted as a failure
            return -1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(one, range(total)))
    elapsed = time.monotonic() - started
    ok = statuses.count(200)
    return {"login rate": rate(ok / elapsed, "logins/s"),
            "login failures": count(total - ok, f"of {total}", "lower")}


def register_latency(users: int) -> dict[str, Figure]:
    ids = identity_module()
    import grpc  # noqa: PLC0415 - in the venv, like identity's own imports

    stub = ids.auth_stub()
    request_type = ids.auth_pb2.GetAccountRequest
    latencies: list[float] = []
    failures = 0
    for _ in range(users):
        email, password = ids.unique_email("bench-reg"), ids.new_password()
        response = ids.register(email, password, "Bench User")
        registered = time.monotonic()
        if response.status_code != 201:
            failures += 1
            log(f"registration answered {response.status_code}: {response.text[:200]}")
            continue
        request = request_type(user_id=response.json()["id"])
        while True:
            try:
                stub.GetAccount(request, timeout=ids.RPC_TIMEOUT, wait_for_ready=True)
                break
            except grpc.RpcError:
                if time.monotonic() - registered > USER_TIMEOUT:
                    break
                time.sleep(POLL_INTERVAL)
        status = ids.login(email, password).status_code
        if status == 200:
            latencies.append((time.monotonic() - registered) * 1000)
        else:
            failures += 1
            log(f"{email} could not log in ({status})")
    figures = {}
    if latencies:
        figures["register → can log in p50"] = ms(percentile(latencies, 50), 1)
        figures["register → can log in p99"] = ms(percentile(latencies, 99), 1)
    figures["register → can log in failures"] = count(failures, f"of {users}", "lower")
    return figures


# --- orders ----------------------------------------------------------------------------------

ORDER_CAFES = 8
ORDER_PRODUCTS = 4
RESTOCK_LINE_LIMIT = 10_000   # the largest quantity of one restock line
LATENCY_WORKERS = 16
PAID_WAIT = 15.0              # seconds to wait for the last `order.paid` events
DRAIN_TIMEOUT = 180.0         # seconds the saga may take to work off the throughput run


def commerce_setup(stock_per_line: int, cafes_wanted: int = ORDER_CAFES,
                   products_wanted: int = ORDER_PRODUCTS) -> tuple[str, list[tuple[str, str]]]:
    """Cafés and products with `stock_per_line` of each product at each café; returns a customer's
    token and the (café, product) pairs."""
    ids = identity_module()
    admin = ids.admin_account()
    tag = str(int(time.time() * 1000))
    cafes = []
    for index in range(cafes_wanted):
        response = ids.post(
            "/api/locations", token=admin.access_token,
            json={"name": f"Bench café {tag}-{index}", "address": "1 Bench Street", "access_code": f"bench code {tag}"})
        assert response.status_code == 201, f"creating a café answered {response.status_code}: {response.text[:200]}"
        cafes.append(response.json()["id"])
    products = []
    for index in range(products_wanted):
        response = ids.post(
            "/api/products", token=admin.access_token,
            json={"name": f"Bench brew {tag}-{index}", "category": "bench", "price_cents": 250 + 50 * index})
        assert response.status_code == 201, f"creating a product answered {response.status_code}: {response.text[:200]}"
        products.append(response.json()["id"])
    for cafe in cafes:
        left = stock_per_line
        while left > 0:
            quantity = min(left, RESTOCK_LINE_LIMIT)
            response = ids.post(
                f"/api/locations/{cafe}/restock", token=admin.access_token,
                json={"items": [{"product_id": product, "quantity": quantity} for product in products]})
            assert response.status_code == 200, f"restocking answered {response.status_code}: {response.text[:200]}"
            left -= quantity
    customer = ids.new_account(tag="bench-orders")
    return customer.access_token, [(cafe, product) for cafe in cafes for product in products]


def order_body(cafe: str, product: str) -> str:
    return json.dumps({"location_id": cafe, "items": [{"product_id": product, "quantity": 1}]})


def orders(settings: Settings) -> dict[str, Figure]:
    log("setting up cafés, a menu and stock")
    token, pairs = commerce_setup(stock_per_line=30_000)
    bodies = ",\n".join(f"  [[{order_body(cafe, product)}]]" for cafe, product in pairs)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(
            "-- Generated by scripts/bench.d/bench.py: one order of one unit per request, round robin over\n"
            "-- the benchmark's cafés and products.\n"
            f"local bodies = {{\n{bodies}\n}}\n"
            "local next = 0\n"
            "request = function()\n"
            "  next = next + 1\n"
            "  return wrk.format('POST', '/api/orders', {\n"
            "    ['Content-Type'] = 'application/json',\n"
            f"    ['Authorization'] = 'Bearer {token}'}}, bodies[(next % #bodies) + 1])\n"
            "end\n")
        lua.flush()
        log(f"wrk: POST /api/orders for {settings.duration} s")
        figures = wrk_figures(wrk(GATEWAY, settings.duration, script=lua.name), "POST /api/orders")
    log("waiting until the saga has worked off those orders")
    figures["saga backlog paid after"] = seconds(orders_drain())
    log(f"order → paid at {settings.order_rate} orders/s for {settings.order_seconds} s")
    figures.update(orders_latency(settings.order_rate, settings.order_seconds))
    return figures


def paid_listener(paid: dict[str, float], ready: threading.Event, stop: threading.Event) -> threading.Thread:
    """Records the arrival time of each `order.paid`, by order id, until `stop`."""
    import pika  # noqa: PLC0415 - in the venv

    def run() -> None:
        connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
        channel = connection.channel()
        queue = channel.queue_declare(queue="", exclusive=True, auto_delete=True).method.queue
        channel.queue_bind(queue=queue, exchange="platform.events", routing_key="order.paid")
        ready.set()
        while not stop.is_set():
            method, _, body = channel.basic_get(queue=queue, auto_ack=True)
            if method is None:
                connection.process_data_events(time_limit=0.005)
                continue
            paid.setdefault(json.loads(body)["orderId"], time.monotonic())
        connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def orders_drain() -> float:
    """Waits until the saga has worked off what the throughput run queued: payment's and product's
    queues hold no message for a second (a passive declare reads the count). Returns the seconds
    until they were empty."""
    import pika  # noqa: PLC0415 - in the venv

    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    channel = connection.channel()
    started = time.monotonic()
    quiet_since = None
    while time.monotonic() - started < DRAIN_TIMEOUT:
        waiting = sum(
            channel.queue_declare(queue=f"{name}.events", passive=True).method.message_count for name in ("payment", "product"))
        if waiting:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 1.0:
            break
        time.sleep(0.1)
    else:
        raise BenchError(f"the saga's queues did not drain within {DRAIN_TIMEOUT:.0f} s")
    connection.close()
    return quiet_since - started


def orders_latency(order_rate: int, duration: int) -> dict[str, Figure]:
    ids = identity_module()
    import requests  # noqa: PLC0415 - in the venv, like identity's own imports

    total = order_rate * duration
    token, pairs = commerce_setup(stock_per_line=total // (ORDER_CAFES * ORDER_PRODUCTS) + 10)
    paid: dict[str, float] = {}
    ready, stop = threading.Event(), threading.Event()
    listener = paid_listener(paid, ready, stop)
    if not ready.wait(10):
        raise BenchError("cannot subscribe to order.paid")
    sent: dict[str, float] = {}
    failures = 0
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    session_of = threading.local()

    def one(index: int) -> None:
        nonlocal failures
        cafe, product = pairs[index % len(pairs)]
        session = getattr(session_of, "session", None) or requests.Session()
        session_of.session = session
        started = time.monotonic()
        try:
            response = session.post(ids.url("/api/orders"), data=order_body(cafe, product), headers=headers, timeout=10)
            ok = response.status_code == 201
        except requests.RequestException:
            ok = False
        with lock:
            if ok:
                sent[response.json()["id"]] = started
            else:
                failures += 1

    begun = time.monotonic()
    with ThreadPoolExecutor(max_workers=LATENCY_WORKERS) as pool:
        for index in range(total):
            due = begun + index / order_rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index)
    elapsed = time.monotonic() - begun
    deadline = time.monotonic() + PAID_WAIT
    while time.monotonic() < deadline and any(order not in paid for order in sent):
        time.sleep(0.05)
    stop.set()
    listener.join(5)
    latencies = [(paid[order] - started) * 1000 for order, started in sent.items() if order in paid]
    figures = {"order → paid offered rate": fact(order_rate, "orders/s"),
               "order → paid achieved rate": fact(round(len(sent) / elapsed, 1), "orders/s")}
    if latencies:
        figures["order → paid p50"] = ms(percentile(latencies, 50), 1)
        figures["order → paid p99"] = ms(percentile(latencies, 99), 1)
    figures["order → paid failures"] = count(failures + len(sent) - len(latencies), f"of {total}", "lower")
    return figures


# --- analytics -------------------------------------------------------------------------------

BENCH_CAFES = 20
BENCH_PRODUCTS = [  # (name, category, price in cents)
    (f"Bench {kind} {size}", category, price + 40 * index)
    for index, (kind, category, price) in enumerate([
        ("espresso", "coffee", 180), ("latte", "coffee", 320), ("cappuccino", "coffee", 300), ("mocha", "coffee", 380),
        ("tea", "tea", 250), ("chai", "tea", 330), ("croissant", "bakery", 190), ("scone", "bakery", 240),
        ("muffin", "bakery", 260), ("bagel", "sandwich", 450), ("panini", "sandwich", 650), ("salad", "salad", 720)])
    for size in ("S", "M", "L")
]
BENCH_PRODUCTS_IDS = [(str(uuid.UUID(int=index + 1)), name, category, price)
                      for index, (name, category, price) in enumerate(BENCH_PRODUCTS)]
VIEW_CALLS = 200
ANALYTICS_MONTHS = 24
REBUILD_TIMEOUT = 120.0   # seconds to wait for the closing rebuild


def analytics(settings: Settings) -> dict[str, Figure]:
    log(f"loading {settings.analytics_lines:,} order lines into analytics")
    figures = analytics_load(settings.analytics_lines, ANALYTICS_MONTHS)
    log(f"the three views, {VIEW_CALLS} calls each")
    figures.update(analytics_views())
    log(f"order.paid at {settings.event_rate}/s for {settings.event_seconds} s")
    figures.update(analytics_consume(settings.event_rate, settings.event_seconds))
    log("dropping the benchmark's facts (analytics rebuilds from product's history)")
    figures.update(analytics_rebuild())
    return figures


def previous_months(months: int) -> list[tuple[int, int]]:
    """The last `months` complete months, oldest first, as (year, month)."""
    today = datetime.date.today()
    index = today.year * 12 + today.month - 1
    return [((index - back) // 12, (index - back) % 12 + 1) for back in range(months, 0, -1)]


def mariadb_command(url: str) -> list[str]:
    parts = urllib.parse.urlparse(url)
    return ["mariadb", "--local-infile=1", "--batch", "-h", parts.hostname or "127.0.0.1", "-P", str(parts.port or 3306),
            "-u", urllib.parse.unquote(parts.username or ""), f"-p{urllib.parse.unquote(parts.password or '')}",
            parts.path.lstrip("/")]


def analytics_load(lines_wanted: int, months: int) -> dict[str, Figure]:
    """Writes `lines_wanted` order lines over the last `months` complete months and BENCH_CAFES
    cafés straight into analytics' tables (a bulk path for this benchmark only: LOAD DATA into
    temporary tables, then the facts and the rollups the service keeps), as the consumer would
    have written them."""
    rng = random.Random(20261201)
    cafes = [(str(uuid.UUID(int=rng.getrandbits(128))), f"Bench café {index + 1}") for index in range(BENCH_CAFES)]
    products = [(str(uuid.UUID(int=rng.getrandbits(128))), name, category, price) for name, category, price in BENCH_PRODUCTS]
    spans = []
    for year, month in previous_months(months):
        start = datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc)
        end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=datetime.timezone.utc)
        spans.append((start.timestamp(), end.timestamp()))
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    written = orders_written = 0
    with open(directory / "sales.tsv", "w") as sales, open(directory / "lines.tsv", "w") as lines:
        while written < lines_wanted:
            order = str(uuid.UUID(int=rng.getrandbits(128)))
            cafe_id, cafe_name = cafes[rng.randrange(len(cafes))]
            low, high = spans[rng.randrange(len(spans))]
            paid = datetime.datetime.fromtimestamp(rng.uniform(low, high), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
            chosen = rng.sample(products, min(rng.randint(1, 4), lines_wanted - written))
            total = 0
            for line, (product_id, name, category, price) in enumerate(chosen):
                quantity = rng.randint(1, 3)
                total += quantity * price
                lines.write(f"{order}\t{line}\t{cafe_id}\t{product_id}\t{name}\t{category}\t{quantity}\t{price}\t{quantity * price}\t{paid}\n")
            sales.write(f"{order}\t{cafe_id}\t{cafe_name}\t{total}\t{paid}\n")
            written += len(chosen)
            orders_written += 1
    # A run cut short leaves its rows behind (the closing rebuild is what drops them): start clean.
    tables = ["sale_lines", "sales", "location_names", "product_names", "daily_location_sales", "daily_product_sales",
              "monthly_product_sales", "daily_category_sales"]
    script = "".join(f"DELETE FROM {table};\n" for table in tables) + f"""
        CREATE TEMPORARY TABLE bench_sales LIKE sales;
        CREATE TEMPORARY TABLE bench_lines LIKE sale_lines;
        LOAD DATA LOCAL INFILE '{directory / "sales.tsv"}' INTO TABLE bench_sales
            (order_id, location_id, location_name, total_cents, paid_at);
        LOAD DATA LOCAL INFILE '{directory / "lines.tsv"}' INTO TABLE bench_lines;
        INSERT INTO sales SELECT * FROM bench_sales;
        INSERT INTO sale_lines SELECT * FROM bench_lines;
        INSERT INTO location_names SELECT DISTINCT location_id, location_name FROM bench_sales
            ON DUPLICATE KEY UPDATE name = VALUES(name);
        INSERT INTO product_names SELECT DISTINCT product_id, product_name FROM bench_lines
            ON DUPLICATE KEY UPDATE name = VALUES(name);
        INSERT INTO daily_location_sales SELECT DATE(paid_at), location_id, SUM(total_cents), COUNT(*) FROM bench_sales
            GROUP BY DATE(paid_at), location_id
            ON DUPLICATE KEY UPDATE sales_cents = sales_cents + VALUES(sales_cents), order_count = order_count + VALUES(order_count);
        INSERT INTO daily_product_sales SELECT DATE(paid_at), location_id, product_id, SUM(quantity), SUM(line_total_cents)
            FROM bench_lines GROUP BY DATE(paid_at), location_id, product_id
            ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity), sales_cents = sales_cents + VALUES(sales_cents);
        INSERT INTO monthly_product_sales SELECT DATE_FORMAT(paid_at, '%Y-%m-01'), product_id, SUM(quantity) FROM bench_lines
            GROUP BY DATE_FORMAT(paid_at, '%Y-%m-01'), product_id ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity);
        INSERT INTO daily_category_sales SELECT DATE(paid_at), category, SUM(line_total_cents) FROM bench_lines
            GROUP BY DATE(paid_at), category ON DUPLICATE KEY UPDATE sales_cents = sales_cents + VALUES(sales_cents);
    """
    result = subprocess.run(mariadb_command(os.environ["ANALYTICS_DATABASE_URL"]), input=script, capture_output=True, text=True)
    shutil.rmtree(directory, ignore_errors=True)
    if result.returncode != 0:
        raise BenchError(f"loading the analytics facts failed: {result.stderr[:500]}")
    return {"order lines loaded": fact(written, "lines"),
            "load (generate + LOAD DATA + rollups)": seconds(time.monotonic() - started)}


def analytics_views() -> dict[str, Figure]:
    """p50/p99 of the three views through the gateway, VIEW_CALLS calls each, one after the other."""
    ids = identity_module()
    token = ids.admin_account().access_token
    (year, month), = previous_months(1)
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    views = {
        "summary": ("/api/admin/analytics/summary", {"month": f"{year:04d}-{month:02d}"}),
        "overview 31 days": ("/api/admin/analytics/overview", {"from": f"{year:04d}-{month:02d}-01",
                                                               "to": f"{year:04d}-{month:02d}-{last_day:02d}"}),
        "predictions": ("/api/admin/analytics/predictions", {}),
    }
    import requests  # noqa: PLC0415 - in the venv, like identity's own imports

    session = requests.Session()
    figures = {}
    for name, (path, params) in views.items():
        latencies = []
        for _ in range(VIEW_CALLS):
            started = time.monotonic()
            response = session.get(ids.url(path), params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            latencies.append((time.monotonic() - started) * 1000)
            if response.status_code != 200:
                raise BenchError(f"GET {path} answered {response.status_code}: {response.text[:200]}")
        figures[f"{name} p50"] = ms(percentile(latencies, 50), 1)
        figures[f"{name} p99"] = ms(percentile(latencies, 99), 1)
    return figures


def analytics_consume(event_rate: int, duration: int) -> dict[str, Figure]:
    """Publishes `order.paid` events (as product would, for orders of the benchmark's cafés) at
    `event_rate` per second for `duration` s, and reports how fast analytics worked them all off
    and the deepest its queue got."""
    import pika  # noqa: PLC0415 - in the venv

    rng = random.Random()
    cafe = str(uuid.uuid4())
    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    channel = connection.channel()
    channel.confirm_delivery()
    watcher_connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    watcher = watcher_connection.channel()
    deepest = 0
    total = event_rate * duration
    started = time.monotonic()
    for index in range(total):
        due = started + index / event_rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        product_id, name, category, price = rng.choice(BENCH_PRODUCTS_IDS)
        payload = {
            "orderId": str(uuid.uuid4()), "locationId": cafe, "locationName": "Bench café live",
            "lines": [{"productId": product_id, "name": name, "category": category, "quantity": "1",
                       "unitPriceCents": str(price), "lineTotalCents": str(price)}],
            "totalCents": str(price), "currency": "EUR",
            "paidAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        channel.basic_publish(
            "platform.events", "order.paid", json.dumps(payload).encode(),
            pika.BasicProperties(message_id=str(uuid.uuid4()), type="order.paid", content_type="application/json",
                                 delivery_mode=2))
        if index % event_rate == 0:
            deepest = max(deepest, watcher.queue_declare(queue="analytics.events", passive=True).method.message_count)
    published = time.monotonic() - started
    while watcher.queue_declare(queue="analytics.events", passive=True).method.message_count > 0:
        time.sleep(0.05)
    drained = time.monotonic() - started
    connection.close()
    watcher_connection.close()
    return {"order.paid offered rate": fact(round(total / published, 1), "events/s"),
            "order.paid worked off": throughput(total / drained, "events/s"),
            "order.paid deepest queue": count(deepest, "events", "lower")}


def analytics_rebuild() -> dict[str, Figure]:
    """Drops the benchmark's facts: the service rebuilds its facts from product's history; waits
    (at most REBUILD_TIMEOUT) until it is done, so the next scenario does not compete with it."""
    ids = identity_module()
    token = ids.admin_account().access_token
    started = time.monotonic()
    response = ids.post("/api/admin/analytics/rebuild", token=token)
    if response.status_code != 202:
        raise BenchError(f"the rebuild answered {response.status_code}: {response.text[:200]}")
    while time.monotonic() - started < REBUILD_TIMEOUT:
        status = ids.get("/api/admin/analytics/rebuild", token=token).json()
        if not status["running"]:
            if status["last_error"]:
                raise BenchError(f"the rebuild failed: {status['last_error']}")
            return {"rebuild from product's history": seconds(time.monotonic() - started),
                    "rebuild orders": fact(status["last_orders"], "orders")}
        time.sleep(0.5)
    warn(f"the rebuild still runs after {REBUILD_TIMEOUT:.0f} s (product's history grows with every orders run)")
    return {"rebuild from product's history": Figure(f"> {REBUILD_TIMEOUT:.0f}", "s", "lower")}


# --- tickets ---------------------------------------------------------------------------------

TICKET_CLIENTS = 32
SETTLE_TIMEOUT = 10.0   # seconds for the purchases in flight to finish


def tickets(settings: Settings) -> dict[str, Figure]:
    """An event with a large capacity and TICKET_CLIENTS clients; the Lua script buys one ticket per
    request, round robin over the clients, as the admin (who may buy for any client)."""
    ids = identity_module()
    log("setting up an event of 1,000,000 seats and 32 clients")
    admin = ids.admin_account()
    event = ids.post("/api/events", token=admin.access_token, json={
        "name": f"Bench concert {int(time.time() * 1000)}", "location": "Bench hall", "starts_at": "2030-01-01T20:00:00Z",
        "capacity": 1_000_000})
    assert event.status_code == 201, f"creating the event answered {event.status_code}: {event.text[:200]}"
    event_id = event.json()["id"]
    clients = []
    for _ in range(TICKET_CLIENTS):
        response = ids.post("/api/clients", token=admin.access_token, json={"email": ids.unique_email("bench-client")})
        assert response.status_code == 201, f"creating a client answered {response.status_code}: {response.text[:200]}"
        clients.append(response.json()["id"])
    paths = ",\n".join(f"  '/api/clients/{client}/tickets'" for client in clients)
    body = json.dumps({"event_id": event_id})
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(
            "-- Generated by scripts/bench.d/bench.py: one ticket per request, round robin over the clients.\n"
            f"local paths = {{\n{paths}\n}}\n"
            "local next = 0\n"
            "request = function()\n"
            "  next = next + 1\n"
            "  return wrk.format('POST', paths[(next % #paths) + 1], {\n"
            "    ['Content-Type'] = 'application/json',\n"
            f"    ['Authorization'] = 'Bearer {admin.access_token}'}}, '{body}')\n"
            "end\n")
        lua.flush()
        log(f"wrk: POST /api/clients/{{id}}/tickets for {settings.duration} s")
        run = wrk(GATEWAY, settings.duration, script=lua.name)
    figures = wrk_figures(run, "POST /api/clients/{id}/tickets")
    figures.update(tickets_check(event_id, clients, admin.access_token, run["requests"] - run["non_2xx"]))
    return figures


def tickets_check(event_id: str, clients: list[str], token: str, accepted: int) -> dict[str, Figure]:
    """The tickets the event service issued for the event, the seats the event counts and the
    tickets its clients hold must be one number; wrk's accepted purchases may fall short of it by
    the requests in flight when wrk stopped (at most one per connection), never exceed it."""
    ids = identity_module()
    # The purchases in flight when wrk stopped still finish: wait until the count holds still.
    seats, deadline = -1, time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = ids.get(f"/api/events/{event_id}").json()["tickets_sold"]
        if now == seats:
            break
        seats = now
    held = 0
    for client in clients:
        response = ids.get(f"/api/clients/{client}", token=token)
        assert response.status_code == 200, f"reading a client answered {response.status_code}"
        held += sum(1 for ticket in response.json()["tickets"] if ticket["event_id"] == event_id)
    issued, page = 0, 1
    while True:
        response = ids.get(f"/api/tickets?page={page}&page_size=100", token=token)
        assert response.status_code == 200, f"listing tickets answered {response.status_code}"
        body = response.json()
        issued += sum(1 for ticket in body["items"] if ticket["event_id"] == event_id and ticket["valid"])
        if page * body["page_size"] >= body["total"]:
            break
        page += 1
    consistent = issued == seats == held and accepted <= seats <= accepted + TICKET_CLIENTS
    if not consistent:
        log(f"tickets: accepted by wrk {accepted}, issued {issued}, seats taken {seats}, held by clients {held}")
    return {"tickets issued": fact(issued, "tickets"),
            "accepted = issued = seats = held": Figure("yes" if consistent else "NO", expect="yes")}


# --- media -----------------------------------------------------------------------------------

def bench_image(size: int) -> bytes:
    """`size` bytes that media takes for a PNG: a real PNG header (Pillow) followed by noise.
    Media reads only the header to type and size an image, so the rest need not decode."""
    import io  # noqa: PLC0415

    from PIL import Image  # noqa: PLC0415 - in the venv

    buffer = io.BytesIO()
    Image.new("RGB", (1024, 768), (90, 90, 90)).save(buffer, "PNG")
    head = buffer.getvalue()
    return head + os.urandom(size - len(head))


def media(settings: Settings) -> dict[str, Figure]:
    """Upload and read throughput (MB/s) for 1 MB and 8 MB images through the gateway (8 parallel
    clients for `duration` s each), then the gateway's peak RSS while 16 clients upload 8 MB at once."""
    import requests  # noqa: PLC0415

    ids = identity_module()
    log(f"uploads and reads of 1 MB and 8 MB images for {settings.duration} s each (8 clients)")
    account = ids.new_account(tag="bench-media")
    headers = {"Authorization": f"Bearer {account.access_token}", "Content-Type": "image/png"}
    upload_url = ids.url("/api/media/images")
    figures: dict[str, Figure] = {}
    for megabytes in (1, 8):
        data = bench_image(megabytes * 1024 * 1024)
        links: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + settings.duration

        def uploader() -> int:
            session, sent = requests.Session(), 0
            while time.monotonic() < deadline:
                response = session.post(upload_url, data=data, headers=headers, timeout=120)
                if response.status_code != 201:
                    raise BenchError(f"an upload answered {response.status_code}: {response.text[:200]}")
                with lock:
                    links.append(response.json()["url"])
                sent += len(data)
            return sent

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = sum(pool.map(lambda _: uploader(), range(8)))
        elapsed = time.monotonic() - started
        figures[f"upload {megabytes} MB"] = throughput(sent / elapsed / 1e6, "MB/s")
        figures[f"uploads {megabytes} MB"] = throughput(len(links) / elapsed, "uploads/s")

        def reader(batch: list[str]) -> int:
            session, received = requests.Session(), 0
            for link in batch:
                response = session.get(ids.url(link), timeout=120)
                if response.status_code != 200 or len(response.content) != len(data):
                    raise BenchError(f"a read answered {response.status_code} with {len(response.content)} bytes")
                received += len(response.content)
            return received

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            received = sum(pool.map(reader, [links[index::8] for index in range(8)]))
        figures[f"read {megabytes} MB"] = throughput(received / (time.monotonic() - started) / 1e6, "MB/s")

    log("16 parallel 8 MB uploads, sampling the gateway's RSS")
    gateway = service_pid("gateway")
    if gateway is None:
        raise BenchError("the gateway is not running")
    data = bench_image(8 * 1024 * 1024)
    baseline, peak, stop = rss_kib(gateway), 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_kib(gateway))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(
                lambda _: requests.post(upload_url, data=data, headers=headers, timeout=120).status_code, range(16)))
    finally:
        stop.set()
        sampler.join()
    if statuses.count(201) != 16:
        raise BenchError(f"parallel uploads answered {sorted(set(statuses))}")
    figures["gateway RSS before 16 × 8 MB"] = kib_as_mb(baseline)
    figures["gateway RSS peak 16 × 8 MB"] = kib_as_mb(peak)
    figures["gateway RSS growth 16 × 8 MB"] = kib_as_mb(peak - baseline)
    return figures
