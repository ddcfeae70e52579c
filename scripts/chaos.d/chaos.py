"""The fault matrix: a steady mixed load through the gateway, one fault at a time, then the
invariants checked from the API and the broker. See scripts/chaos for usage.

Each fault gets its own café, products, event and ticket buyer, so its invariants are its own:

- every order answered 201 is final (paid, payment_failed, cancelled, refunded), and so is every
  order of the café (those whose 201 was lost on the way too);
- payments: one charge at most per order; paid and refunded orders charged exactly once,
  failed ones never, a cancelled one charged only to be refunded;
- stock of every product = restocked - what paid/refunded orders took, never negative;
- tickets issued = the event's seats taken <= capacity, each held by one client, every 201 there;
- every registration answered 201 logs in; every image answered 201 reads back;
- analytics: the café's day = the sum of its paid orders;
- no message left in any `.dead` queue that was not there before;
- a client sees 201/409 or, while the fault lasts, 503/504 with the JSON error body, each answer
  within the deadline (a refused connection to a gateway that is down is retried, as a client
  behind a load balancer would; a reset of an accepted request is a failure, except the few
  the gateway held when it was SIGKILLed itself).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pika
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))

import commerce  # noqa: E402
import identity  # noqa: E402
import processes  # noqa: E402
import ticketing  # noqa: E402
from stack import SERVICES, get as ops_get, services_using, wait_until  # noqa: E402

GATEWAY = "http://127.0.0.1:5000"
ANSWER_WITHIN = 12.0  # seconds: a call's deadline is 5 s; the gateway asks a safe request again
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5f1b9d80000000049454e44ae426082")
CONSUMER_QUEUES = [f"{name}.events" for name in services_using("broker") if name != "gateway"]


# --- the load -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    kind: str
    status: int  # 0: no HTTP answer
    seconds: float
    error: str = ""
    body: dict | None = None
    at: float = 0.0


@dataclass
class Scene:
    """What one fault's load works on, and what it was answered."""
    cafe: commerce.Cafe
    products: list[dict]
    restocked: int
    event: dict
    capacity: int
    client_id: str
    buyers: list[identity.Account]
    outcomes: list[Outcome] = field(default_factory=list)
    registered: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def new_scene(capacity: int = 40, restocked: int = 200) -> Scene:
    cafe = commerce.new_cafe("chaos")
    products = [commerce.new_product("chaos", price_cents=price) for price in (250, 390)]
    for product in products:
        for chunk in range(0, restocked, 10_000):  # a restock line takes at most 10,000
            commerce.restock(cafe.id, product["id"], min(10_000, restocked - chunk))
    event, _ = ticketing.new_event(capacity=capacity)
    return Scene(cafe=cafe, products=products, restocked=restocked, event=event, capacity=capacity,
                 client_id=ticketing.new_client_by_admin()["id"], buyers=commerce.new_customers(4, tag="chaos"))


def send(method: str, path: str, *, token: str | None = None, **kwargs) -> tuple[requests.Response | None, str]:
    """One request; a refused connection (nothing sent) is tried again for up to 10 s."""
    headers = dict(kwargs.pop("headers", None) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    give_up = time.monotonic() + 10
    while True:
        try:
            return requests.request(method, GATEWAY + path, headers=headers, timeout=ANSWER_WITHIN + 3, **kwargs), ""
        except requests.ConnectionError as error:
            refused = "refused" in str(error).lower() or "NewConnectionError" in repr(error)
            if refused and time.monotonic() < give_up:
                time.sleep(0.1)
                continue
            return None, type(error).__name__ + ": " + str(error)[:160]
        except requests.Timeout as error:
            return None, "timeout: " + str(error)[:160]


def one_operation(scene: Scene, kind: str) -> Outcome:
    started = time.monotonic()
    buyer = random.choice(scene.buyers)
    if kind == "register":
        email, password = identity.unique_email("chaos"), identity.new_password("chaos")
        response, error = send("POST", "/api/auth/register", json={"email": email, "password": password, "name": "Chaos"},
                               headers={"X-Forwarded-For": identity.fake_address()})
        if response is not None and response.status_code == 201:
            with scene.lock:
                scene.registered.append((email, password))
    elif kind in ("order_ok", "order_declined"):
        product = random.choice(scene.products)
        response, error = send("POST", "/api/orders", token=buyer.access_token,
                               headers={"Idempotency-Key": str(uuid.uuid4())},
                               json={"location_id": scene.cafe.id, "items": [{"product_id": product["id"], "quantity": 1}],
                                     "payment_token": "tok_ok" if kind == "order_ok" else "tok_declined"})
    elif kind == "ticket":
        response, error = send("POST", f"/api/clients/{scene.client_id}/tickets", token=commerce.admin_token(),
                               headers={"Idempotency-Key": str(uuid.uuid4())}, json={"event_id": scene.event["id"]})
    elif kind == "upload":
        response, error = send("POST", "/api/media/images?file_name=chaos.png", token=buyer.access_token,
                               headers={"Content-Type": "image/png"}, data=PNG)
    else:
        raise ValueError(kind)
    body = None
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
    return Outcome(kind, response.status_code if response is not None else 0, time.monotonic() - started, error, body,
                   at=started)


MIX = ["register", "order_ok", "order_ok", "order_declined", "ticket", "upload", "order_ok", "register"]


def run_load(scene: Scene, stop: threading.Event, rate: float, workers: int) -> None:
    """`rate` operations a second over `workers` connections until `stop` is set."""
    interval = workers / rate
    def worker(index: int) -> None:
        next_at = time.monotonic() + index * interval / workers
        step = index
        while not stop.is_set():
            outcome = one_operation(scene, MIX[step % len(MIX)])
            with scene.lock:
                scene.outcomes.append(outcome)
            step += workers
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- the faults ---------------------------------------------------------------------------------

def infra(*args: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "infra"), *args], check=True, capture_output=True, text=True, timeout=240)


def server_pids(name: str) -> list[int]:
    """The processes of a project-local server (its pid file, and for PostgreSQL its children)."""
    run = processes.local_dir() / "run"
    if name == "postgres":
        pid = int((processes.local_dir() / "data" / "postgres" / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [pid, *map(int, children)]
    return [int((run / f"{name}.pid").read_text().strip())]


def kill_and_restart(name: str) -> float:
    processes.kill(name)
    began = time.monotonic()
    processes.restart(name)
    return time.monotonic() - began


def terminate_and_restart(name: str) -> float:
    """SIGTERM: the service must finish what it has and stop by itself within 10 s."""
    pid = processes.service_pid(name)
    assert pid is not None, f"{name} is not running"
    log = processes.local_dir() / "logs" / f"{name}.log"
    offset = log.stat().st_size
    began = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not processes.alive(pid), timeout=10, interval=0.05, what=f"{name} to stop within 10 s of SIGTERM")
    stopped = time.monotonic() - began
    with log.open("rb") as handle:
        handle.seek(offset)
        tail = handle.read().decode(errors="replace")
    assert "service stopped" in tail, f"{name} did not stop cleanly after SIGTERM:\n{tail[-2000:]}"
    processes.restart(name)
    print(f"    {name} stopped {stopped:.2f} s after SIGTERM", flush=True)
    return time.monotonic() - began


def restart_server(name: str) -> float:
    began = time.monotonic()
    infra("restart", name)
    return time.monotonic() - began


def stop_server_for(name: str, seconds: float) -> float:
    began = time.monotonic()
    infra("stop", name)
    time.sleep(seconds)
    infra("start", name)
    return time.monotonic() - began


def stall_server(name: str, seconds: float) -> float:
    pids = server_pids(name)
    began = time.monotonic()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    return time.monotonic() - began


FAULTS = {
    **{f"kill:{name}": (lambda name=name: kill_and_restart(name)) for name in SERVICES},
    **{f"term:{name}": (lambda name=name: terminate_and_restart(name)) for name in SERVICES},
    "restart:rabbitmq": lambda: restart_server("rabbitmq"),
    "restart:postgres": lambda: restart_server("postgres"),
    "restart:mariadb": lambda: restart_server("mariadb"),
    "stop:mongo": lambda: stop_server_for("mongo", 10),
    "stall:postgres": lambda: stall_server("postgres", 2),
    "stall:mariadb": lambda: stall_server("mariadb", 2),
}
ALL = [*(f"kill:{n}" for n in SERVICES), "restart:rabbitmq", "restart:postgres", "restart:mariadb",
       "stop:mongo", "stall:postgres", "stall:mariadb", *(f"term:{n}" for n in SERVICES)]
# What scripts/test runs (about 6 minutes): the gateway, the order saga's and ticketing's
# services, each kind of server fault, and shutdown under load.
BOUNDED = ["kill:gateway", "kill:user", "kill:product", "kill:payment", "kill:client", "restart:rabbitmq",
           "restart:postgres", "stop:mongo", "stall:postgres", "term:product"]


# --- the invariants -----------------------------------------------------------------------------

def dead_letter_counts() -> dict[str, int]:
    counts = {}
    with commerce.broker_connection() as connection:
        for queue in CONSUMER_QUEUES:
            channel = connection.channel()
            try:
                counts[queue] = channel.queue_declare(f"{queue}.dead", passive=True).method.message_count
            except pika.exceptions.ChannelClosedByBroker:
                counts[queue] = 0
    return counts


@dataclass
class Verdict:
    fault: str
    counts: dict[str, Counter]
    accepted: int
    settled: int
    lost: list[str]
    duplicated: list[str]
    violations: list[str]
    recovery_seconds: float
    fault_window: str
    slowest: float


def settle_orders(scene: Scene, timeout: float = 60) -> list[dict]:
    """Every order of the café, once none is left in flight."""
    def all_final():
        orders = commerce.orders_at(scene.cafe.id)
        return orders if all(order["status"] in commerce.FINAL for order in orders) else None
    try:
        return wait_until(all_final, timeout=timeout, interval=0.5, what="every order of the café to be final")
    except AssertionError:
        return commerce.orders_at(scene.cafe.id)


def check(scene: Scene, fault: str, recovery: float, dead_before: dict[str, int], began: float) -> Verdict:
    violations: list[str] = []
    lost: list[str] = []
    duplicated: list[str] = []
    counts: dict[str, Counter] = {}
    for outcome in scene.outcomes:
        counts.setdefault(outcome.kind, Counter())[outcome.status or outcome.error.split(":")[0]] += 1
        if outcome.status in (201, 409):
            continue
        if outcome.status in (503, 504) and isinstance(outcome.body, dict) and "error" in outcome.body:
            continue
        if fault == "kill:gateway" and outcome.status == 0 and "aborted" in outcome.error:
            continue  # the gateway itself died holding the request: nothing could answer it
        violations.append(f"{outcome.kind}: {outcome.status or outcome.error} {json.dumps(outcome.body)[:200] if outcome.body else ''}")
    slowest = max((o.seconds for o in scene.outcomes), default=0.0)
    if slowest > ANSWER_WITHIN:
        violations.append(f"an answer took {slowest:.1f} s (deadline {ANSWER_WITHIN:.0f} s)")
    faulted = [o for o in scene.outcomes if o.status in (503, 504) or o.status == 0]
    window = (f"{min(o.at for o in faulted) - began:.1f}-{max(o.at + o.seconds for o in faulted) - began:.1f} s"
              if faulted else "-")

    # Orders, payments, stock.
    accepted_orders = {o.body["id"]: o for o in scene.outcomes if o.kind.startswith("order") and o.status == 201}
    orders = settle_orders(scene)
    by_id = {order["id"]: order for order in orders}
    for order_id in accepted_orders:
        if order_id not in by_id:
            lost.append(f"order {order_id}")
    pending = [o["id"] for o in orders if o["status"] not in commerce.FINAL]
    if pending:
        violations.append(f"{len(pending)} orders not final: {pending[:3]}")
    since = commerce.parse_time(min((o["created_at"] for o in orders), default=commerce.utc_now().isoformat()))
    payments = commerce.payments_for(by_id, since - datetime.timedelta(seconds=5))
    for order in orders:
        charges = [p for p in payments[order["id"]] if p["status"] in ("succeeded", "refunded")]
        if len(charges) > 1:
            duplicated.append(f"order {order['id']} charged {len(charges)} times")
        expected = {"paid": 1, "refunded": 1, "payment_failed": 0}.get(order["status"])
        if expected is not None and len(charges) != expected:
            violations.append(f"order {order['id']} is {order['status']} with {len(charges)} charges")
        if order["status"] == "cancelled" and any(p["status"] == "succeeded" for p in charges):
            violations.append(f"cancelled order {order['id']} charged and not refunded")
    for product in scene.products:
        taken = sum(item["quantity"] for order in orders if order["status"] in ("paid", "refunded", "refund_pending")
                    for item in order["items"] if item["product_id"] == product["id"])
        level = commerce.quantity(scene.cafe.id, product["id"])
        if level != scene.restocked - taken or level < 0:
            violations.append(f"stock of {product['name']}: {level}, expected {scene.restocked} - {taken}")

    # Tickets.
    accepted_tickets = {o.body["code"] for o in scene.outcomes if o.kind == "ticket" and o.status == 201}
    event = identity.get(f"/api/events/{scene.event['id']}").json()
    tickets = [t for t in commerce.pages("/api/tickets", token=commerce.admin_token())
               if t["event_id"] == scene.event["id"] and t["valid"]]
    codes = Counter(t["code"] for t in tickets)
    duplicated += [f"ticket {code} issued {n} times" for code, n in codes.items() if n > 1]
    lost += [f"ticket {code}" for code in accepted_tickets - set(codes)]
    if not (event["tickets_sold"] == len(tickets) <= scene.capacity):
        violations.append(f"event: {event['tickets_sold']} sold, {len(tickets)} valid tickets, capacity {scene.capacity}")
    held = identity.get(f"/api/clients/{scene.client_id}", token=commerce.admin_token()).json()["tickets"]
    if sorted(t["code"] for t in held if t.get("event_id") == scene.event["id"] and t.get("valid", True)) != sorted(codes):
        violations.append("the buyer's tickets differ from the event's")

    # Registrations and images.
    for email, password in scene.registered:
        response = identity.post("/api/auth/login", json={"email": email, "password": password},
                                 headers={"X-Forwarded-For": identity.fake_address()})
        if response.status_code != 200:
            lost.append(f"registration {email} ({response.status_code})")
    for outcome in scene.outcomes:
        if outcome.kind == "upload" and outcome.status == 201:
            owner = next(b for b in scene.buyers if b.id == outcome.body["owner_id"])
            if identity.get(f"/api/media/images/{outcome.body['id']}", token=owner.access_token).status_code != 200:
                lost.append(f"image {outcome.body['id']}")

    # Analytics: the café's day is the sum of its paid orders.
    paid = [order for order in orders if order["status"] == "paid"]
    want = (sum(order["total_cents"] for order in paid), len(paid))
    try:
        wait_until(lambda: (lambda day: (day["sales_cents"], day["order_count"]) == want)(
            identity.get(f"/api/locations/{scene.cafe.id}/sales/today", token=commerce.admin_token()).json()),
            timeout=30, interval=0.5, what="analytics to count the paid orders")
    except AssertionError:
        day = identity.get(f"/api/locations/{scene.cafe.id}/sales/today", token=commerce.admin_token()).json()
        violations.append(f"analytics: {day['sales_cents']} cents in {day['order_count']} orders, expected {want}")

    dead_after = dead_letter_counts()
    for queue, count in dead_after.items():
        if count > dead_before.get(queue, 0):
            violations.append(f"{count - dead_before.get(queue, 0)} new message(s) in {queue}.dead")

    accepted = sum(1 for o in scene.outcomes if o.status == 201)
    settled = (len([o for o in orders if o["id"] in accepted_orders and o["status"] in commerce.FINAL])
               + len(accepted_tickets & set(codes)) + len(scene.registered) - sum(1 for x in lost if x.startswith("registration"))
               + sum(1 for o in scene.outcomes if o.kind == "upload" and o.status == 201)
               - sum(1 for x in lost if x.startswith("image")))
    return Verdict(fault, counts, accepted, settled, lost, duplicated, violations, recovery, window, slowest)


# --- the run ------------------------------------------------------------------------------------

def run_fault(fault: str, *, seconds: float, rate: float, workers: int) -> Verdict:
    scene = new_scene()
    dead_before = dead_letter_counts()
    stop = threading.Event()
    load = threading.Thread(target=run_load, args=(scene, stop, rate, workers), daemon=True)
    began = time.monotonic()
    load.start()
    time.sleep(min(3.0, seconds / 3))
    recovery = FAULTS[fault]()
    # The load goes on a while after the platform is back, then drains.
    time.sleep(max(3.0, seconds - (time.monotonic() - began)))
    stop.set()
    load.join()
    for name in SERVICES:
        commerce.wait_until_routed(name) if name in commerce.ROUTED_BY else wait_until(
            lambda name=name: ops_get(name, "/ready").status_code == 200, timeout=60, what=f"{name} ready")
    return check(scene, fault, recovery, dead_before, began)


def table(verdicts: list[Verdict]) -> str:
    header = "| fault | answered (201 / 409 / 503 / 504 / other) | accepted | settled | lost | duplicated | recovered in | errors seen | slowest | invariants |"
    lines = [header, "|" + "---|" * 10]
    for v in verdicts:
        total = Counter()
        for counter in v.counts.values():
            total.update(counter)
        other = sum(n for status, n in total.items() if status not in (201, 409, 503, 504))
        lines.append(f"| {v.fault} | {total[201]} / {total[409]} / {total[503]} / {total[504]} / {other} | {v.accepted} | "
                     f"{v.settled} | {len(v.lost)} | {len(v.duplicated)} | {v.recovery_seconds:.1f} s | {v.fault_window} | "
                     f"{v.slowest:.1f} s | {'ok' if not (v.violations or v.lost or v.duplicated) else 'FAILED'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("faults", nargs="*", help=f"faults to inject (default: all): {', '.join(sorted(FAULTS))}")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("CHAOS_SECONDS", 12)))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("CHAOS_RATE", 16)), help="operations a second")
    parser.add_argument("--workers", type=int, default=8, help="concurrent connections")
    parser.add_argument("--bounded", action="store_true", help=f"only {', '.join(BOUNDED)}")
    args = parser.parse_args()
    faults = args.faults or (BOUNDED if args.bounded else ALL)
    unknown = [f for f in faults if f not in FAULTS]
    if unknown:
        parser.error(f"unknown faults: {unknown}")
    verdicts = []
    for fault in faults:
        print(f"==> {fault}: {args.rate:g} operations/s on {args.workers} connections for {args.seconds:g} s", flush=True)
        verdict = run_fault(fault, seconds=args.seconds, rate=args.rate, workers=args.workers)
        verdicts.append(verdict)
        for kind, counter in sorted(verdict.counts.items()):
            print(f"    {kind:15} {dict(sorted(counter.items(), key=str))}", flush=True)
        for problem in verdict.violations + verdict.lost + verdict.duplicated:
            print(f"    FAILED: {problem}", flush=True)
    print()
    print(table(verdicts))
    failed = [v.fault for v in verdicts if v.violations or v.lost or v.duplicated]
    print(f"\n{len(verdicts) - len(failed)} of {len(verdicts)} faults kept every invariant"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
