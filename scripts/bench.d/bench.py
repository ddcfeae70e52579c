"""The Python half of scripts/bench (run with the project venv's python).

    bench.py token                    registers and logs in a fresh user; prints its access token
    bench.py parse-wrk < wrk-output   wrk --latency output → requests/s, p50, p99, non-2xx lines
    bench.py logins N THREADS         N logins of one fresh user on THREADS threads → logins/s
    bench.py register-latency USERS   per user: register, then time until a login succeeds

Output: plain `key: value` lines on stdout. The REST and gRPC helpers are the end-to-end
suite's (Tests/e2e/identity.py).

Register → can-log-in: after the 201 the helper polls auth every 20 ms (gRPC GetAccount: has
the `user.registered` event been applied?) and then logs in through the gateway, which must
succeed; the latency is measured up to that login's 200. Polling the login itself would count
every early attempt as a failed login, and idm's throttle (5 per account, 20 per client
address in 15 min) would then refuse the benchmark's own logins.
"""

from __future__ import annotations

import math
import re
import sys
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


def cmd_parse_wrk() -> None:
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
    out("me_requests_per_sec", f"{float(rate[1]):.1f}")
    out("me_latency_p50_ms", f"{distribution[50]:.3f}")
    out("me_latency_p99_ms", f"{distribution[99]:.3f}")
    out("me_requests_total", total[1] if total else "unknown")
    out("me_non_2xx", int(non_2xx[1]) if non_2xx else 0)
    out("me_socket_errors", sum(int(n) for n in sockets.groups()) if sockets else 0)


# --- logins ----------------------------------------------------------------------------------

def cmd_logins(count: int, threads: int) -> None:
    identity = identity_module()
    account = identity.register_account(tag="bench-login")

    def one(_: int) -> int:
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


def main(argv: list[str]) -> None:
    usage = "usage: bench.py token | parse-wrk | logins N THREADS | register-latency USERS"
    if not argv:
        sys.exit(usage)
    command, args = argv[0], argv[1:]
    try:
        if command == "token" and not args:
            cmd_token()
        elif command == "parse-wrk" and not args:
            cmd_parse_wrk()
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
