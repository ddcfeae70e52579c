"""What the benchmark modules share: settings, figures, wrk, errors, progress lines.

A scenario returns `dict[str, Figure]`, in the order its figures are to be printed. A figure is a
value with its unit, the direction that is better (`higher`, `lower`, or none for facts such as a
count or a setting), whether it is a rate of requests that is also printed as a share of the
ceilings (gateway `/health` req/s, pgbench -S tps), and optionally a floor or cap it must meet.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
from service_table import read_services  # noqa: E402
LOCAL_DIR = Path(os.environ.get("PLATFORM_LOCAL_DIR") or ROOT / ".local")
CONNECTIONS = 32   # wrk -c, as in every HTTP throughput figure
WRK_THREADS = 2    # wrk -t


class BenchError(Exception):
    """A scenario cannot go on; the suite records it and runs the next one."""


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def identity_module():
    sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
    import identity  # noqa: PLC0415 - generates the gRPC stubs on import

    return identity


# --- settings --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    duration: int          # seconds per wrk run (and per media size)
    logins: int            # logins of the login rate
    users: int             # users of register → can log in
    order_rate: int        # orders/s of order → paid
    order_seconds: int     # seconds of order → paid
    analytics_lines: int   # order lines loaded into analytics
    event_rate: int        # order.paid events/s published to analytics
    event_seconds: int     # seconds of publishing them
    pgbench_scale: int     # pgbench -i -s
    scenario_timeout: int  # seconds one scenario may take before it is abandoned

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


# Defaults of a single scenario, and what the full suite lowers to stay within 10 minutes (a
# setting given in the environment wins in both).
DEFAULTS = {"duration": 10, "logins": 40, "users": 30, "order_rate": 100, "order_seconds": 60,
            "analytics_lines": 1_000_000, "event_rate": 500, "event_seconds": 20, "pgbench_scale": 10,
            "scenario_timeout": 300}
SUITE_DEFAULTS = {"order_seconds": 20, "analytics_lines": 200_000, "event_seconds": 10}


def settings(full_suite: bool) -> Settings:
    values = {}
    for name, default in DEFAULTS.items():
        if full_suite:
            default = SUITE_DEFAULTS.get(name, default)
        variable = f"BENCH_{name.upper()}"
        text = os.environ.get(variable, "")
        if not text:
            values[name] = default
        elif re.fullmatch(r"[1-9][0-9]*", text):
            values[name] = int(text)
        else:
            raise SystemExit(f"bench: {variable} must be a positive integer (got {text!r})")
    return Settings(**values)


# --- figures ---------------------------------------------------------------------------------

@dataclass
class Figure:
    value: float | int | str
    unit: str = ""
    better: str | None = None   # "higher", "lower" or None
    rate: bool = False          # a request rate: also printed as a share of the ceilings
    at_least: float | None = None
    at_most: float | None = None
    expect: str | None = None   # the value a yes/no figure must have
    digits: int = 1

    def check(self) -> str:
        """"ok", "FAIL (…)" or "" when the figure has no bound."""
        if self.expect is not None:
            return "ok" if self.value == self.expect else f"FAIL (not {self.expect})"
        if self.at_least is None and self.at_most is None:
            return ""
        if not isinstance(self.value, (int, float)):
            return "FAIL (no value)"
        if self.at_least is not None and self.value < self.at_least:
            return f"FAIL (floor {self.at_least:g})"
        if self.at_most is not None and self.value > self.at_most:
            return f"FAIL (cap {self.at_most:g})"
        return "ok"

    def shown(self) -> str:
        if isinstance(self.value, float):
            return f"{self.value:,.{self.digits}f}"
        if isinstance(self.value, int):
            return f"{self.value:,}"
        return str(self.value)


def rate(value: float, unit: str = "req/s", **bounds: float) -> Figure:
    return Figure(round(value, 1), unit, "higher", rate=True, **bounds)


def throughput(value: float, unit: str) -> Figure:
    """Higher is better but not a request rate (MB/s, events/s of a consumer)."""
    return Figure(round(value, 1), unit, "higher")


def ms(value: float, digits: int = 2, **bounds: float) -> Figure:
    return Figure(round(value, digits), "ms", "lower", digits=digits, **bounds)


def seconds(value: float) -> Figure:
    return Figure(round(value, 1), "s", "lower")


def count(value: int, unit: str = "", better: str | None = None) -> Figure:
    return Figure(int(value), unit, better)


def fact(value: object, unit: str = "") -> Figure:
    return Figure(value if isinstance(value, (int, float)) else str(value), unit)


def kib_as_mb(kib: int) -> Figure:
    return Figure(round(kib / 1024, 1), "MiB", "lower")


# --- wrk -------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(text: str) -> dict[str, float]:
    """wrk --latency output → requests_per_sec, p50_ms, p99_ms, requests, non_2xx, socket_errors."""
    distribution = {
        int(m[1]): float(m[2]) * UNIT_MS[m[3]]
        for m in re.finditer(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
    }
    rate_line = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if not rate_line or 50 not in distribution or 99 not in distribution:
        raise BenchError("cannot read wrk's output:\n" + text)
    return {
        "requests_per_sec": float(rate_line[1]),
        "p50_ms": distribution[50],
        "p99_ms": distribution[99],
        "requests": int(total[1]) if total else 0,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }


def wrk(url: str, duration: int, *, token: str | None = None, script: str | None = None,
        connections: int = CONNECTIONS) -> dict[str, float]:
    """One wrk run (-t2, `connections`, `duration` s, --latency), parsed."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    try:
        result = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk did not finish within {duration + 60} s") from error
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    return parse_wrk(result.stdout)


def wrk_figures(run: dict[str, float], prefix: str, *, floor: float | None = None,
                p99_cap: float | None = None) -> dict[str, Figure]:
    """The figures of one wrk run: req/s, p50, p99, and the answers that were not 2xx/3xx."""
    return {
        f"{prefix} req/s": rate(run["requests_per_sec"], at_least=floor) if floor else rate(run["requests_per_sec"]),
        f"{prefix} p50": ms(run["p50_ms"]),
        f"{prefix} p99": ms(run["p99_ms"], at_most=p99_cap) if p99_cap else ms(run["p99_ms"]),
        f"{prefix} non-2xx": count(run["non_2xx"] + run["socket_errors"], "responses", "lower"),
    }


# --- the stack -------------------------------------------------------------------------------

def service_ports() -> dict[str, int]:
    """Each service's HTTP (ops) port, from Services/services.tsv."""
    return {row["name"]: row["http"] for row in read_services()}


GATEWAY = f"http://127.0.0.1:{service_ports()['gateway']}"


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for_stack(timeout: float = 60.0) -> None:
    """Waits until every service answers /ready (one may be restarting)."""
    deadline = time.monotonic() + timeout
    ports = service_ports()
    while True:
        down = [name for name, port in ports.items() if not ready(port)]
        if not down:
            return
        if time.monotonic() >= deadline:
            raise BenchError(f"not ready after {timeout:.0f} s: {', '.join(down)}")
        time.sleep(1)


def service_pid(name: str) -> int | None:
    """The pid of a running service from its pid file, when that process runs the service."""
    try:
        pid = int((LOCAL_DIR / "run" / f"{name}.pid").read_text().split()[0])
        if Path(f"/proc/{pid}/comm").read_text().strip() == name:
            return pid
    except (OSError, ValueError, IndexError):
        pass
    return None


def dump_json(value: object) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)
