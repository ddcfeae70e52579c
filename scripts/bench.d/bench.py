"""The Python half of scripts/bench (run with the project venv's python).

    bench.py token                    registers and logs in a fresh user; prints its access token
    bench.py parse-wrk < wrk-output   wrk --latency output → requests/s, p50, p99, non-2xx lines
    bench.py logins N THREADS         N logins of THREADS fresh users, one per thread → logins/s
    bench.py register-latency USERS   per user: register, then time until a login succeeds
    bench.py orders-setup LUA_FILE    cafés, a menu and stock for the order benchmark; writes the
                                      wrk script that posts orders to LUA_FILE
    bench.py orders-drain             waits until payment's and product's queues are empty
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

import json
import math
import os
import re
import sys
import threading
import time
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


def main(argv: list[str]) -> None:
    usage = (
        "usage: bench.py token | parse-wrk [PREFIX] | logins N THREADS | register-latency USERS"
        " | orders-setup LUA_FILE | orders-drain | orders-latency RATE SECONDS")
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
        elif command == "orders-drain" and not args:
            cmd_orders_drain()
        elif command == "orders-latency" and len(args) == 2:
            cmd_orders_latency(int(args[0]), int(args[1]))
        elif command == "logins" and len(args) == 2:
            cmd_logins(int(args[0]), int(args[1]))
        elif command == "register-latency" and len(args) == 1:
            cmd_register_latency(int(args[0]))
        else:
            sys.exit(usage)
    except AssertionError as error:
        sys.exit(f"bench: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
