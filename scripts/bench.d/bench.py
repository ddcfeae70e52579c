"""The Python half of scripts/bench (run with the project venv's python).

    bench.py token                    registers and logs in a fresh user; prints its access token
    bench.py parse-wrk < wrk-output   wrk --latency output → requests/s, p50, p99, non-2xx lines
    bench.py logins N THREADS         N logins of THREADS fresh users, one per thread → logins/s
    bench.py register-latency USERS   per user: register, then time until a login succeeds
    bench.py orders-setup LUA_FILE    cafés, a menu and stock for the order benchmark; writes the
                                      wrk script that posts orders to LUA_FILE
    bench.py orders-drain             waits until payment's and product's queues are empty
    bench.py analytics-load LINES MONTHS  LINES order lines over the last MONTHS complete months and
                                      20 cafés, straight into analytics' tables (benchmark only)
    bench.py analytics-views          p50/p99 of summary, a 31-day overview and predictions (200 each)
    bench.py analytics-consume RATE SECONDS  order.paid events at RATE/s; how fast analytics keeps up
    bench.py analytics-rebuild        asks analytics to rebuild (drops the benchmark's facts)
    bench.py orders-latency RATE SECONDS  orders at a fixed RATE per second for SECONDS; the time
                                      from each request to its `order.paid` event (p50, p99)

Order → paid: a queue of this process (exclusive, gone with it) is bound to `order.paid` on the
events exchange before the first order goes out; an order counts as paid when its event arrives,
which is after product committed it. Latency runs from the start of the order's request.

Output: plain `key: value` lines on stdout. The REST and gRPC helpers are the end-to-end
suite's (Tests/e2e/identity.py).

Register → can-log-in: after the 201 the helper polls auth every 20 ms (gRPC GetAccount: has
the `user.registered` event been applied?) and then logs in through the gateway, which must
succeed; the latency is measured up to that login's 200. Polling the login itself would count
every early attempt as a failed login, and idm's throttle (5 per account, 20 per client
address in 15 min) would then refuse the benchmark's own logins.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLL_INTERVAL = 0.02   # seconds between checks whether a new user can log in
USER_TIMEOUT = 30.0    # seconds before a registration counts as never usable


def identity_module():
    sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
    import identity  # noqa: PLC0415 - generates the gRPC stubs on import

    return identity


def out(key: str, value: object) -> None:
    print(f"{key}: {value}", flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- token -----------------------------------------------------------------------------------

def cmd_token() -> None:
    identity = identity_module()
    account = identity.new_account(tag="bench")
    response = identity.get("/api/auth/me", token=account.access_token)
    if response.status_code != 200:
        sys.exit(f"bench: GET /api/auth/me with a fresh token answered {response.status_code}: {response.text[:300]}")
    print(account.access_token)


# --- wrk -------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(number: str, unit: str) -> float:
    return float(number) * UNIT_MS[unit]


def cmd_parse_wrk(prefix: str = "me") -> None:
    text = sys.stdin.read()
    distribution = {
        int(m[1]): to_ms(m[2], m[3])
        for m in re.finditer(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
    }
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if not rate or 50 not in distribution or 99 not in distribution:
        sys.exit("bench: cannot read wrk's output:\n" + text)
    out(f"{prefix}_requests_per_sec", f"{float(rate[1]):.1f}")
    out(f"{prefix}_latency_p50_ms", f"{distribution[50]:.3f}")
    out(f"{prefix}_latency_p99_ms", f"{distribution[99]:.3f}")
    out(f"{prefix}_requests_total", total[1] if total else "unknown")
    out(f"{prefix}_non_2xx", int(non_2xx[1]) if non_2xx else 0)
    out(f"{prefix}_socket_errors", sum(int(n) for n in sockets.groups()) if sockets else 0)


# --- logins ----------------------------------------------------------------------------------

def cmd_logins(count: int, threads: int) -> None:
    """One user per thread: idm lets one account have 2 password checks in flight (and one
    address 4), so more threads on one user would measure the throttle, not the logins."""
    identity = identity_module()
    accounts = [identity.register_account(tag=f"bench-login{index}") for index in range(threads)]

    def one(index: int) -> int:
        account = accounts[index % threads]
        try:
            return identity.login(account.email, account.password).status_code
        except Exception:  # noqa: BLE001 - counted as a failure
            return -1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(one, range(count)))
    elapsed = time.monotonic() - started
    ok = statuses.count(200)
    out("login_count", count)
    out("login_threads", threads)
    out("login_failures", count - ok)
    out("login_seconds", f"{elapsed:.3f}")
    out("logins_per_sec", f"{ok / elapsed:.1f}")


# --- register → can log in -------------------------------------------------------------------

def cmd_register_latency(users: int) -> None:
    identity = identity_module()
    import grpc  # noqa: PLC0415 - in the venv, like identity's own imports

    stub = identity.auth_stub()
    request_type = identity.auth_pb2.GetAccountRequest
    latencies: list[float] = []
    failures = 0
    for _ in range(users):
        email, password = identity.unique_email("bench-reg"), identity.new_password()
        response = identity.register(email, password, "Bench User")
        registered = time.monotonic()
        if response.status_code != 201:
            failures += 1
            print(f"bench: registration answered {response.status_code}: {response.text[:200]}", file=sys.stderr)
            continue
        request = request_type(user_id=response.json()["id"])
        while True:
            try:
                stub.GetAccount(request, timeout=identity.RPC_TIMEOUT, wait_for_ready=True)
                break
            except grpc.RpcError:
                if time.monotonic() - registered > USER_TIMEOUT:
                    break
                time.sleep(POLL_INTERVAL)
        status = identity.login(email, password).status_code
        if status == 200:
            latencies.append((time.monotonic() - registered) * 1000)
        else:
            failures += 1
            print(f"bench: {email} could not log in ({status})", file=sys.stderr)
    out("register_to_login_users", users)
    out("register_to_login_failures", failures)
    if latencies:
        out("register_to_login_p50_ms", f"{percentile(latencies, 50):.1f}")
        out("register_to_login_p99_ms", f"{percentile(latencies, 99):.1f}")
        out("register_to_login_max_ms", f"{max(latencies):.1f}")


# --- orders ----------------------------------------------------------------------------------

ORDER_CAFES = 8
ORDER_PRODUCTS = 4
RESTOCK_LINE_LIMIT = 10_000   # the largest quantity of one restock line
LATENCY_WORKERS = 16
PAID_WAIT = 15.0              # seconds to wait for the last `order.paid` events
DRAIN_TIMEOUT = 300.0         # seconds the saga may take to work off the throughput run


def commerce_setup(stock_per_line: int) -> tuple[str, list[tuple[str, str]]]:
    """Cafés and products with `stock_per_line` of each product at each café; returns a customer's
    token and the (café, product) pairs."""
    identity = identity_module()
    admin = identity.admin_account()
    tag = str(int(time.time() * 1000))
    cafes = []
    for index in range(ORDER_CAFES):
        response = identity.post(
            "/api/locations", token=admin.access_token,
            json={"name": f"Bench café {tag}-{index}", "address": "1 Bench Street", "access_code": f"bench code {tag}"})
        assert response.status_code == 201, f"creating a café answered {response.status_code}: {response.text[:200]}"
        cafes.append(response.json()["id"])
    products = []
    for index in range(ORDER_PRODUCTS):
        response = identity.post(
            "/api/products", token=admin.access_token,
            json={"name": f"Bench brew {tag}-{index}", "category": "bench", "price_cents": 250 + 50 * index})
        assert response.status_code == 201, f"creating a product answered {response.status_code}: {response.text[:200]}"
        products.append(response.json()["id"])
    for cafe in cafes:
        left = stock_per_line
        while left > 0:
            quantity = min(left, RESTOCK_LINE_LIMIT)
            response = identity.post(
                f"/api/locations/{cafe}/restock", token=admin.access_token,
                json={"items": [{"product_id": product, "quantity": quantity} for product in products]})
            assert response.status_code == 200, f"restocking answered {response.status_code}: {response.text[:200]}"
            left -= quantity
    customer = identity.new_account(tag="bench-orders")
    return customer.access_token, [(cafe, product) for cafe in cafes for product in products]


def order_body(cafe: str, product: str) -> str:
    return json.dumps({"location_id": cafe, "items": [{"product_id": product, "quantity": 1}]})


def cmd_orders_setup(lua_path: str) -> None:
    token, pairs = commerce_setup(stock_per_line=30_000)
    bodies = ",\n".join(f"  [[{order_body(cafe, product)}]]" for cafe, product in pairs)
    Path(lua_path).write_text(
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
    out("orders_pairs", len(pairs))


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


def cmd_orders_drain() -> None:
    """Waits until the saga has worked off what the throughput run queued: payment's and product's
    queues hold no message for a second (a passive declare reads the count)."""
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
        sys.exit(f"bench: the saga's queues did not drain within {DRAIN_TIMEOUT:.0f} s")
    connection.close()
    out("orders_backlog_drained_after_s", f"{quiet_since - started:.1f}")


def cmd_orders_latency(rate: int, seconds: int) -> None:
    identity = identity_module()
    import requests  # noqa: PLC0415 - in the venv, like identity's own imports

    total = rate * seconds
    token, pairs = commerce_setup(stock_per_line=total // (ORDER_CAFES * ORDER_PRODUCTS) + 10)
    paid: dict[str, float] = {}
    ready, stop = threading.Event(), threading.Event()
    listener = paid_listener(paid, ready, stop)
    if not ready.wait(10):
        sys.exit("bench: cannot subscribe to order.paid")
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
            response = session.post(identity.url("/api/orders"), data=order_body(cafe, product), headers=headers, timeout=10)
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
            due = begun + index / rate
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
    out("order_latency_rate_per_sec", rate)
    out("order_latency_seconds", seconds)
    out("order_latency_created", len(sent))
    out("order_latency_create_failures", failures)
    out("order_latency_achieved_rate_per_sec", f"{len(sent) / elapsed:.1f}")
    out("order_latency_never_paid", len(sent) - len(latencies))
    if latencies:
        out("order_to_paid_p50_ms", f"{percentile(latencies, 50):.1f}")
        out("order_to_paid_p99_ms", f"{percentile(latencies, 99):.1f}")
        out("order_to_paid_max_ms", f"{max(latencies):.1f}")


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
VIEW_CALLS = 200


def previous_months(count: int) -> list[tuple[int, int]]:
    """The last `count` complete months, oldest first, as (year, month)."""
    today = datetime.date.today()
    index = today.year * 12 + today.month - 1
    return [((index - back) // 12, (index - back) % 12 + 1) for back in range(count, 0, -1)]


def mariadb_command(url: str) -> list[str]:
    parts = urllib.parse.urlparse(url)
    return ["mariadb", "--local-infile=1", "--batch", "-h", parts.hostname or "127.0.0.1", "-P", str(parts.port or 3306),
            "-u", urllib.parse.unquote(parts.username or ""), f"-p{urllib.parse.unquote(parts.password or '')}",
            parts.path.lstrip("/")]


def cmd_analytics_load(lines_wanted: int, months: int) -> None:
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
    written = orders = 0
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
            orders += 1
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
        sys.exit(f"bench: loading the analytics facts failed: {result.stderr[:500]}")
    out("analytics_loaded_lines", written)
    out("analytics_loaded_orders", orders)
    out("analytics_loaded_months", months)
    out("analytics_load_seconds", f"{time.monotonic() - started:.1f}")


def cmd_analytics_views() -> None:
    """p50/p99 of the three views through the gateway, VIEW_CALLS calls each, one after the other."""
    identity = identity_module()
    token = identity.admin_account().access_token
    (year, month), = previous_months(1)
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    views = {
        "summary": ("/api/admin/analytics/summary", {"month": f"{year:04d}-{month:02d}"}),
        "overview_31d": ("/api/admin/analytics/overview", {"from": f"{year:04d}-{month:02d}-01",
                                                           "to": f"{year:04d}-{month:02d}-{last_day:02d}"}),
        "predictions": ("/api/admin/analytics/predictions", {}),
    }
    import requests  # noqa: PLC0415 - in the venv, like identity's own imports

    session = requests.Session()
    for name, (path, params) in views.items():
        latencies = []
        for _ in range(VIEW_CALLS):
            started = time.monotonic()
            response = session.get(identity.url(path), params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            latencies.append((time.monotonic() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"bench: GET {path} answered {response.status_code}: {response.text[:200]}")
        out(f"analytics_{name}_p50_ms", f"{percentile(latencies, 50):.1f}")
        out(f"analytics_{name}_p99_ms", f"{percentile(latencies, 99):.1f}")


def cmd_analytics_consume(rate: int, seconds: int) -> None:
    """Publishes `order.paid` events (as product would, for orders of the benchmark's cafés) at
    `rate` per second for `seconds`, and reports how long analytics took to work them all off and
    the deepest its queue got."""
    import pika  # noqa: PLC0415 - in the venv

    rng = random.Random()
    cafe = str(uuid.uuid4())
    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    channel = connection.channel()
    channel.confirm_delivery()
    watcher = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"])).channel()
    deepest = 0
    total = rate * seconds
    started = time.monotonic()
    for index in range(total):
        due = started + index / rate
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
        if index % rate == 0:
            deepest = max(deepest, watcher.queue_declare(queue="analytics.events", passive=True).method.message_count)
    published = time.monotonic() - started
    while watcher.queue_declare(queue="analytics.events", passive=True).method.message_count > 0:
        time.sleep(0.05)
    drained = time.monotonic() - started
    connection.close()
    out("analytics_consume_published", total)
    out("analytics_consume_publish_rate_per_sec", f"{total / published:.1f}")
    out("analytics_consume_deepest_queue", deepest)
    out("analytics_consume_worked_off_after_s", f"{drained:.1f}")
    out("analytics_consume_rate_per_sec", f"{total / drained:.1f}")


BENCH_PRODUCTS_IDS = [(str(uuid.UUID(int=index + 1)), name, category, price)
                      for index, (name, category, price) in enumerate(BENCH_PRODUCTS)]


def cmd_analytics_rebuild() -> None:
    """Drops the benchmark's facts: the service rebuilds its facts from product's history."""
    identity = identity_module()
    response = identity.post("/api/admin/analytics/rebuild", token=identity.admin_account().access_token)
    if response.status_code != 202:
        sys.exit(f"bench: the rebuild answered {response.status_code}: {response.text[:200]}")



# --- tickets ---------------------------------------------------------------------------------

TICKET_CLIENTS = 32


def cmd_tickets_setup(lua_path: str, state_path: str) -> None:
    """An event with a large capacity and TICKET_CLIENTS clients; the Lua script buys one ticket per
    request, round robin over the clients, as the admin (who may buy for any client)."""
    identity = identity_module()
    admin = identity.admin_account()
    event = identity.post("/api/events", token=admin.access_token, json={
        "name": f"Bench concert {int(time.time() * 1000)}", "location": "Bench hall", "starts_at": "2030-01-01T20:00:00Z",
        "capacity": 1_000_000})
    assert event.status_code == 201, f"creating the event answered {event.status_code}: {event.text[:200]}"
    clients = []
    for _ in range(TICKET_CLIENTS):
        response = identity.post("/api/clients", token=admin.access_token, json={"email": identity.unique_email("bench-client")})
        assert response.status_code == 201, f"creating a client answered {response.status_code}: {response.text[:200]}"
        clients.append(response.json()["id"])
    paths = ",\n".join(f"  '/api/clients/{client}/tickets'" for client in clients)
    body = json.dumps({"event_id": event.json()["id"]})
    Path(lua_path).write_text(
        "-- Generated by scripts/bench.d/bench.py: one ticket per request, round robin over the clients.\n"
        f"local paths = {{\n{paths}\n}}\n"
        "local next = 0\n"
        "request = function()\n"
        "  next = next + 1\n"
        "  return wrk.format('POST', paths[(next % #paths) + 1], {\n"
        "    ['Content-Type'] = 'application/json',\n"
        f"    ['Authorization'] = 'Bearer {admin.access_token}'}}, '{body}')\n"
        "end\n")
    Path(state_path).write_text(json.dumps({"event": event.json()["id"], "clients": clients, "token": admin.access_token}))


def cmd_tickets_check(state_path: str) -> None:
    """The tickets the event service issued for the event, the seats the event counts and the
    tickets its clients hold must be one number; wrk's accepted purchases may fall short of it by
    the requests in flight when wrk stopped (at most one per connection), never exceed it."""
    identity = identity_module()
    state = json.loads(Path(state_path).read_text())
    text = sys.stdin.read()
    total = re.search(r"^\s*(\d+) requests in", text, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    accepted = int(total[1]) - (int(non_2xx[1]) if non_2xx else 0) if total else -1
    seats = identity.get(f"/api/events/{state['event']}").json()["tickets_sold"]
    held = 0
    for client in state["clients"]:
        response = identity.get(f"/api/clients/{client}", token=state["token"])
        assert response.status_code == 200, f"reading a client answered {response.status_code}"
        held += sum(1 for ticket in response.json()["tickets"] if ticket["event_id"] == state["event"])
    issued, page = 0, 1
    while True:
        response = identity.get(f"/api/tickets?page={page}&page_size=100", token=state["token"])
        assert response.status_code == 200, f"listing tickets answered {response.status_code}"
        body = response.json()
        issued += sum(1 for ticket in body["items"] if ticket["event_id"] == state["event"] and ticket["valid"])
        if page * body["page_size"] >= body["total"]:
            break
        page += 1
    out("tickets_accepted_by_wrk", accepted)
    out("tickets_issued", issued)
    out("tickets_seats_taken", seats)
    out("tickets_held_by_clients", held)
    consistent = issued == seats == held and accepted <= seats <= accepted + 32
    out("tickets_consistent", "yes" if consistent else "NO")
    if not consistent:
        sys.exit("bench: the tickets issued, the seats taken and the tickets held disagree")


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


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cmd_media(seconds: int, gateway: int) -> None:
    """Upload and read throughput (MB/s) for 1 MB and 8 MB images through the gateway (8 parallel
    clients for `seconds` each), then the gateway's peak RSS while 16 clients upload 8 MB at once."""
    import requests  # noqa: PLC0415

    identity = identity_module()
    account = identity.new_account(tag="bench-media")
    headers = {"Authorization": f"Bearer {account.access_token}", "Content-Type": "image/png"}
    upload_url = identity.url("/api/media/images")
    for megabytes in (1, 8):
        data = bench_image(megabytes * 1024 * 1024)
        links: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def uploader() -> int:
            session, sent = requests.Session(), 0
            while time.monotonic() < deadline:
                response = session.post(upload_url, data=data, headers=headers, timeout=120)
                if response.status_code != 201:
                    sys.exit(f"bench: an upload answered {response.status_code}: {response.text[:200]}")
                with lock:
                    links.append(response.json()["url"])
                sent += len(data)
            return sent

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = sum(pool.map(lambda _: uploader(), range(8)))
        elapsed = time.monotonic() - started
        out(f"media_upload_{megabytes}mb_mb_per_sec", f"{sent / elapsed / 1e6:.1f}")
        out(f"media_upload_{megabytes}mb_per_sec", f"{len(links) / elapsed:.1f}")

        def reader(batch: list[str]) -> int:
            session, received = requests.Session(), 0
            for link in batch:
                response = session.get(identity.url(link), timeout=120)
                if response.status_code != 200 or len(response.content) != len(data):
                    sys.exit(f"bench: a read answered {response.status_code} with {len(response.content)} bytes")
                received += len(response.content)
            return received

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            received = sum(pool.map(reader, [links[index::8] for index in range(8)]))
        elapsed = time.monotonic() - started
        out(f"media_read_{megabytes}mb_mb_per_sec", f"{received / elapsed / 1e6:.1f}")

    data = bench_image(8 * 1024 * 1024)
    baseline, peak, stop = rss_kib(gateway), 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_kib(gateway))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: requests.post(upload_url, data=data, headers=headers, timeout=120).status_code, range(16)))
    stop.set()
    sampler.join()
    if statuses.count(201) != 16:
        sys.exit(f"bench: parallel uploads answered {sorted(set(statuses))}")
    out("media_gateway_rss_before_kib", baseline)
    out("media_gateway_rss_peak_16x8mb_kib", peak)
    out("media_gateway_rss_growth_kib", peak - baseline)


# --- memory ----------------------------------------------------------------------------------

def memory_of(pid: int) -> dict[str, int | list[tuple[str, int]]]:
    """Where a process's resident memory goes: anonymous (heaps, stacks) against file-backed
    (mapped libraries and data), its thread count, and the mapped files holding most."""
    status = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        status[key] = value.split()
    by_file: dict[str, int] = {}
    current = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:
            current = fields[5] if len(fields) > 5 else "[anonymous]"
        elif fields and fields[0] == "Rss:":
            by_file[current] = by_file.get(current, 0) + int(fields[1])
    largest = sorted(by_file.items(), key=lambda item: -item[1])[:6]
    return {
        "rss": int(status["VmRSS"][0]), "anon": int(status["RssAnon"][0]), "file": int(status["RssFile"][0]),
        "threads": int(status["Threads"][0]), "largest": [(Path(name).name or name, kib) for name, kib in largest],
    }


def cmd_memory(run_dir: str) -> None:
    """`memory_of` for every service with a pid file in `run_dir`, as key: value lines."""
    total = 0
    for pid_file in sorted(Path(run_dir).glob("*.pid")):
        name = pid_file.stem
        try:
            pid = int(pid_file.read_text().strip())
            found = memory_of(pid)
        except (OSError, ValueError):
            continue
        if Path(f"/proc/{pid}/comm").read_text().strip() != name:
            continue  # a server's pid file (postgres, …), not a service
        total += found["rss"]
        for key in ("rss", "anon", "file", "threads"):
            out(f"memory_{name}_{key}{'' if key == 'threads' else '_kib'}", found[key])
        out(f"memory_{name}_largest_kib", ", ".join(f"{file} {kib}" for file, kib in found["largest"]))
    out("memory_services_rss_total_kib", total)


def main(argv: list[str]) -> None:
    usage = (
        "usage: bench.py token | parse-wrk [PREFIX] | logins N THREADS | register-latency USERS"
        " | orders-setup LUA_FILE | orders-drain | orders-latency RATE SECONDS"
        " | analytics-load LINES MONTHS | analytics-views | analytics-consume RATE SECONDS | analytics-rebuild"
        " | tickets-setup LUA_FILE STATE_FILE | tickets-check STATE_FILE | media SECONDS | memory RUN_DIR")
    if not argv:
        sys.exit(usage)
    command, args = argv[0], argv[1:]
    try:
        if command == "token" and not args:
            cmd_token()
        elif command == "parse-wrk" and len(args) <= 1:
            cmd_parse_wrk(*args)
        elif command == "orders-setup" and len(args) == 1:
            cmd_orders_setup(args[0])
        elif command == "media" and len(args) == 2:
            cmd_media(int(args[0]), int(args[1]))
        elif command == "tickets-setup" and len(args) == 2:
            cmd_tickets_setup(args[0], args[1])
        elif command == "tickets-check" and len(args) == 1:
            cmd_tickets_check(args[0])
        elif command == "analytics-load" and len(args) == 2:
            cmd_analytics_load(int(args[0]), int(args[1]))
        elif command == "analytics-views" and not args:
            cmd_analytics_views()
        elif command == "analytics-consume" and len(args) == 2:
            cmd_analytics_consume(int(args[0]), int(args[1]))
        elif command == "analytics-rebuild" and not args:
            cmd_analytics_rebuild()
        elif command == "orders-drain" and not args:
            cmd_orders_drain()
        elif command == "orders-latency" and len(args) == 2:
            cmd_orders_latency(int(args[0]), int(args[1]))
        elif command == "logins" and len(args) == 2:
            cmd_logins(int(args[0]), int(args[1]))
        elif command == "memory" and len(args) == 1:
            cmd_memory(args[0])
        elif command == "register-latency" and len(args) == 1:
            cmd_register_latency(int(args[0]))
        else:
            sys.exit(usage)
    except AssertionError as error:
        sys.exit(f"bench: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
