"""Two reads under wrk (-t2 -c32) with a floor of 3,000 req/s and a p99 of at most 20 ms:

- GET /api/orders/{id}: an order of the benchmark's customer (one café, one product);
- GET /api/users/me with the gateway's profile cache off. The cache is GATEWAY_PROFILE_CACHE_TTL
  (seconds, 0 turns it off), read once when the gateway starts: unless the running gateway
  already has it at 0, the scenario restarts the gateway (scripts/service-restart) with exactly
  its environment (/proc/PID/environ) plus GATEWAY_PROFILE_CACHE_TTL=0, and afterwards restarts
  it again with the environment it had, so the rest of the run meets the gateway as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from bench import commerce_setup, order_body
from common import GATEWAY, LOCAL_DIR, ROOT, BenchError, Figure, Settings, identity_module, log, service_pid, wait_for_stack, wrk, wrk_figures

FLOOR = 3000.0      # req/s
P99_CAP = 20.0      # ms
CACHE_SETTING = "GATEWAY_PROFILE_CACHE_TTL"
RESTART_TIMEOUT = 300.0   # seconds for scripts/service-restart (it asks SwiftPM for the binary path,
                          # which waits while another build holds .build's lock)


def reads(settings: Settings) -> dict[str, Figure]:
    ids = identity_module()
    log("a customer with one order")
    token, pairs = commerce_setup(stock_per_line=10, cafes_wanted=1, products_wanted=1)
    (cafe, product), = pairs
    response = ids.post("/api/orders", token=token, data=order_body(cafe, product),
                        headers={"Content-Type": "application/json"})
    if response.status_code != 201:
        raise BenchError(f"creating the order answered {response.status_code}: {response.text[:200]}")
    path = f"/api/orders/{response.json()['id']}"
    if (answer := ids.get(path, token=token)).status_code != 200:
        raise BenchError(f"GET {path} answered {answer.status_code}: {answer.text[:200]}")

    log(f"wrk: GET /api/orders/{{id}} for {settings.duration} s")
    figures = wrk_figures(wrk(GATEWAY + path, settings.duration, token=token), "GET /api/orders/{id}",
                          floor=FLOOR, p99_cap=P99_CAP)
    with profile_cache_off():
        log(f"wrk: GET /api/users/me (profile cache off) for {settings.duration} s")
        figures.update(wrk_figures(wrk(GATEWAY + "/api/users/me", settings.duration, token=token),
                                   "GET /api/users/me (cache off)", floor=FLOOR, p99_cap=P99_CAP))
    return figures


def process_environment(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode(errors="replace").split("=", 1) for entry in entries if b"=" in entry)


def restart_gateway(environment: dict[str, str], what: str) -> None:
    log(f"restarting the gateway {what}")
    process = subprocess.Popen([str(ROOT / "scripts" / "service-restart"), "gateway"], env=environment,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        status = process.wait(RESTART_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        raise BenchError(f"scripts/service-restart gateway did not finish within {RESTART_TIMEOUT:.0f} s") from None
    if status != 0:
        raise BenchError(f"scripts/service-restart gateway failed ({status})")
    wait_for_stack()


class profile_cache_off:  # noqa: N801 - used as a context manager
    """The gateway with GATEWAY_PROFILE_CACHE_TTL=0 for the `with` block, then as it was."""

    def __enter__(self) -> None:
        pid = service_pid("gateway")
        if pid is None:
            raise BenchError("the gateway is not running")
        self.original = process_environment(pid)
        self.restarted = False
        try:
            if float(self.original.get(CACHE_SETTING, "30")) == 0:
                log(f"the gateway runs with {CACHE_SETTING}=0 already")
                return
        except ValueError:
            pass
        # scripts/service-restart runs the binary of PLATFORM_BUILD: the build that runs now.
        build = Path(os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)")).parent.name
        self.original.update(PLATFORM_BUILD=build, PLATFORM_LOCAL_DIR=str(LOCAL_DIR))
        self.original.setdefault("PATH", os.environ.get("PATH", "/usr/bin:/bin"))
        self.restarted = True
        try:
            restart_gateway({**self.original, CACHE_SETTING: "0"}, f"with {CACHE_SETTING}=0 ({build} build)")
            pid = service_pid("gateway")
            if pid is None or process_environment(pid).get(CACHE_SETTING) != "0":
                raise BenchError(f"the restarted gateway does not run with {CACHE_SETTING}=0")
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *_: object) -> None:
        if self.restarted:
            restart_gateway(self.original, "with its own environment again (profile cache as before)")
